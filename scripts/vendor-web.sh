#!/usr/bin/env bash
# Vendors the web view's one third-party file, Cytoscape.js, from the npm
# registry into internal/serve/web/vendor/ (embedded in the binary; the
# browser never fetches anything from elsewhere). Reproducible: the version
# and the package's SHA-256 are pinned here and checked before anything is
# copied. To upgrade, change both, run it, and commit the result.
# Usage: scripts/vendor-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."

name=cytoscape
version=3.34.4
# sha256 of cytoscape-3.34.4.tgz as `npm pack` downloads it (its sha512
# integrity in the registry: msY99tMY8iWTg+sIPGfSqDcPNOt4xcj+v/K/7qUFaCUxxlqnMkUYLBjRUzn9W5CU/R2hrmtJa5+UtovrEM2ctg==).
sha256=0d02363d99d805ce8d91fdecab7b2a8cb91ee280d67f309ce44c161d117b4679
dest=internal/serve/web/vendor

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
tgz="$tmp/$name-$version.tgz"
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$sha256" ]; then
  echo "vendor-web: $name@$version: sha256 $got, want $sha256; refusing to vendor" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/dist/cytoscape.min.js package/LICENSE package/package.json
pkgver=$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$tmp/package/package.json")
if [ "$pkgver" != "$version" ]; then
  echo "vendor-web: package.json says $pkgver, want $version" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$tmp/package/dist/cytoscape.min.js" "$dest/cytoscape.min.js"
cp "$tmp/package/LICENSE" "$dest/cytoscape.LICENSE"
cat >"$dest/VERSIONS" <<EOT
# Written by scripts/vendor-web.sh; do not edit.
$name $version npm-sha256:$sha256 file-sha256:$(sha256sum "$dest/cytoscape.min.js" | cut -d' ' -f1) licence:MIT
EOT
echo "vendored $name@$version into $dest"
