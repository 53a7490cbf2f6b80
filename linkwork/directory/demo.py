"""The demo directory: realistic community services around the two demo sites."""

from . import models as m

# Children before parents, for `core.demo.wipe`.
DIRECTORY_MODELS = (
    m.UnmetNeed,
    m.LocalNote,
    m.AvailabilityChange,
    m.ServiceAttribute,
    m.CostOption,
    m.Language,
    m.ServiceArea,
    m.Schedule,
    m.Phone,
    m.Contact,
    m.ServiceAtLocation,
    m.Accessibility,
    m.Address,
    m.Location,
    m.Service,
    m.OrganizationIdentifier,
    m.Organization,
    m.TaxonomyTerm,
    m.Taxonomy,
    m.DirectoryImport,
)
