# ruff: noqa: E501  (each paragraph is one line: the letter's layout wraps it)
"""The wording each kind of letter starts with, in English and Welsh: data, seeded into
`LetterTemplate` by migration 0002 and changed by managers after that. The Welsh was drafted by
the development team and, like the catalogue, must be reviewed by a qualified translator before
live use. Placeholders hold names, dates and numbers, which are not mutated (as in modern
usage of personal names, "Annwyl Gareth"); the wording puts none where a common noun would be.

Each template is (heading, wording). The letter's layout adds the letterhead, the recipient's
name and address, the date and the reference above it, and the signer's name and role below.
"""

from .models import LetterKind
from .wording import CY, EN

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (LetterKind.APPOINTMENT, EN): (
        "Your next appointment",
        """Dear {first_name},

I am writing to confirm your next appointment with {service_name}.

Date: {appointment_date}
Time: {appointment_time}
How: {appointment_how}
Where: {appointment_where}

If this time does not suit you, or you need to change it, please contact us as soon as you can on {service_phone}. You are welcome to speak to us in Welsh or in English.

I look forward to speaking with you.

Yours sincerely,""",
    ),
    (LetterKind.APPOINTMENT, CY): (
        "Eich apwyntiad nesaf",
        """Annwyl {first_name},

Rwy'n ysgrifennu i gadarnhau eich apwyntiad nesaf gyda ni.

Dyddiad: {appointment_date}
Amser: {appointment_time}
Sut: {appointment_how}
Ble: {appointment_where}

Os nad yw'r amser hwn yn gyfleus, neu os oes angen i chi ei newid, cysylltwch â ni cyn gynted ag y gallwch ar {service_phone}. Mae croeso i chi siarad â ni yn Gymraeg neu yn Saesneg.

Edrychaf ymlaen at gael sgwrs gyda chi.

Yn gywir,""",
    ),
    (LetterKind.NO_CONTACT, EN): (
        "We have been trying to contact you",
        """Dear {first_name},

Your link coordinator, {coordinator_name}, has tried to contact you several times recently, but we have not been able to reach you.

We would like to know how you are, and whether you would like to carry on with your support from {service_name}.

Please contact us by {reply_by} on {service_phone}. If we have not heard from you by then, we will take it that you do not want support at the moment, and your support will end. You are welcome to come back to us at any time in the future.

If it is difficult for you to get in touch, you could ask someone you trust, such as a family member or your GP practice, to contact us for you.

Yours sincerely,""",
    ),
    (LetterKind.NO_CONTACT, CY): (
        "Rydym wedi bod yn ceisio cysylltu â chi",
        """Annwyl {first_name},

Mae eich cydlynydd cyswllt, {coordinator_name}, wedi ceisio cysylltu â chi sawl gwaith yn ddiweddar, ond nid ydym wedi llwyddo i gael gafael arnoch.

Hoffem wybod sut ydych chi, ac a hoffech barhau i gael cymorth gennym.

Cysylltwch â ni erbyn {reply_by} ar {service_phone}. Os na fyddwn wedi clywed gennych erbyn hynny, byddwn yn cymryd nad ydych eisiau cymorth ar hyn o bryd, a bydd eich cymorth yn dod i ben. Bydd croeso i chi gysylltu â ni eto unrhyw bryd yn y dyfodol.

Os yw'n anodd i chi gysylltu â ni, gallech ofyn i rywun rydych yn ymddiried ynddo, fel aelod o'r teulu neu eich meddygfa, gysylltu â ni ar eich rhan.

Yn gywir,""",
    ),
    (LetterKind.END_OF_SUPPORT, EN): (
        "The end of your support",
        """Dear {first_name},

I am writing to let you know that your support from {service_name} ended on {support_ended}.

Thank you for working with us since {support_started}. We hope that the time you spent with your link coordinator, {coordinator_name}, has helped you, and that you will keep in touch with the groups and services you have found.

If things change and you feel you need support again, please speak to your GP or contact us on {service_phone}. You are welcome to speak to us in Welsh or in English.

We wish you all the very best for the future.

Yours sincerely,""",
    ),
    (LetterKind.END_OF_SUPPORT, CY): (
        "Diwedd eich cymorth",
        """Annwyl {first_name},

Rwy'n ysgrifennu i roi gwybod i chi fod eich cymorth gennym wedi dod i ben ar {support_ended}.

Diolch i chi am weithio gyda ni ers {support_started}. Gobeithio bod yr amser a dreuliwyd gyda'ch cydlynydd cyswllt, {coordinator_name}, wedi bod o help i chi, ac y byddwch yn cadw mewn cysylltiad â'r grwpiau a'r gwasanaethau rydych wedi dod o hyd iddynt.

Os bydd pethau'n newid a'ch bod yn teimlo bod angen cymorth arnoch eto, siaradwch â'ch meddyg teulu neu cysylltwch â ni ar {service_phone}. Mae croeso i chi siarad â ni yn Gymraeg neu yn Saesneg.

Dymuniadau gorau i chi i'r dyfodol.

Yn gywir,""",
    ),
    (LetterKind.REFERRER, EN): (
        "Re: {full_name}, date of birth {date_of_birth}, NHS number {nhs_number}",
        """Dear {recipient_name},

Thank you for referring {full_name} to {service_name} on {referral_received}. {first_name} agreed that we could let you know how their support went.

{outcome}

Support started: {support_started}
Support ended: {support_ended}
Contacts attended: {sessions_attended}
Link coordinator: {coordinator_name}

If you would like to discuss this, please contact us on {service_phone}.

Yours sincerely,""",
    ),
    (LetterKind.REFERRER, CY): (
        "Ynglŷn â: {full_name}, dyddiad geni {date_of_birth}, rhif GIG {nhs_number}",
        """Annwyl {recipient_name},

Diolch i chi am atgyfeirio {full_name} atom ar {referral_received}. Cytunodd {first_name} y gallem roi gwybod i chi sut aeth y cymorth.

{outcome}

Dechreuodd y cymorth: {support_started}
Daeth y cymorth i ben: {support_ended}
Nifer y cysylltiadau a fynychwyd: {sessions_attended}
Cydlynydd cyswllt: {coordinator_name}

Os hoffech drafod hyn, cysylltwch â ni ar {service_phone}.

Yn gywir,""",
    ),
}
