// Build Linkwork's front-end assets into linkwork/static/dist/.
//
// - compiles linkwork/static_src/linkwork.scss (GOV.UK Frontend from npm) to linkwork.css
// - copies Linkwork's own scripts (linkwork/static_src/linkwork.js: copy buttons; passkeys.js:
//   after django-otp-webauthn's script has added a passkey)
// - copies the GOV.UK Frontend ES module bundle (and its source map, which Django's
//   ManifestStaticFilesStorage follows through the sourceMappingURL comment) and htmx
// - writes favicon.svg, Linkwork's own icon (GOV.UK's icons are the crown)
//
// Only node built-ins and the packages declared in package.json are used.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = join(root, "linkwork", "static", "dist");

const govukDist = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const htmxDist = dirname(require.resolve("htmx.org/dist/htmx.min.js"));

async function buildCss() {
  const source = join(root, "linkwork", "static_src", "linkwork.scss");
  const result = sass.compile(source, {
    loadPaths: [join(root, "node_modules")],
    style: "compressed",
    sourceMap: false,
    // Report our own deprecations, not GOV.UK Frontend's.
    quietDeps: true,
  });
  const target = join(dist, "linkwork.css");
  await writeFile(target, result.css + "\n");
  return target;
}

async function copyAssets() {
  const copies = [
    [join(govukDist, "govuk-frontend.min.js"), join(dist, "govuk-frontend.min.js")],
    [join(govukDist, "govuk-frontend.min.js.map"), join(dist, "govuk-frontend.min.js.map")],
    [join(htmxDist, "htmx.min.js"), join(dist, "htmx.min.js")],
    [join(root, "linkwork", "static_src", "linkwork.js"), join(dist, "linkwork.js")],
    [join(root, "linkwork", "static_src", "passkeys.js"), join(dist, "passkeys.js")],
  ];
  for (const [from, to] of copies) {
    await copyFile(from, to);
  }
  return copies.map(([, to]) => to);
}

// A white "L" on Linkwork teal.
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#00707a"/>
<path d="M10 7h4.5v14H23v4H10z" fill="#fff"/>
</svg>
`;

async function writeFavicon() {
  const target = join(dist, "favicon.svg");
  await writeFile(target, FAVICON);
  return target;
}

await mkdir(dist, { recursive: true });
const written = [await buildCss(), ...(await copyAssets()), await writeFavicon()];
for (const file of written) {
  console.log(`built ${relative(root, file)}`);
}
