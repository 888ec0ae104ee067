#!/usr/bin/env bash
# Build the one-folder bundle and run it headless: version, demo with reports, verify.
set -euo pipefail
cd "$(dirname "$0")/.."

make bundle
bundle=dist/assay
echo "bundle size: $(du -sh "$bundle" | cut -f1)"
"$bundle/assay" --version

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export ASSAY_HOME="$out/home" QT_QPA_PLATFORM=offscreen
# Bundled content, libraries, and a background process started the way the window renders reports.
"$bundle/assay" doctor
"$bundle/assay" demo --out "$out/demo"
for file in northwind-claims-agent-report.pdf northwind-claims-agent-report-signed.pdf \
            northwind-claims-agent.xlsx northwind-portfolio.pdf; do
  test -s "$out/demo/$file" || { echo "bundle smoke: $file missing" >&2; exit 1; }
done
"$bundle/assay" verify "$out/demo/northwind-claims-agent-report-signed.pdf" \
  --trust "$out/demo/demo-assessor.pem"
"$bundle/assay" check --workspace "$out/demo/northwind-demo.assay"
# The team server's driver is bundled: an unreachable server is a sentence, not a missing module.
said=$("$bundle/assay" --workspace postgresql://nobody@127.0.0.1:9/none systems list 2>&1 || true)
echo "$said" | grep -q "not reachable" || { echo "bundle smoke: server driver: $said" >&2; exit 1; }
echo "bundle smoke: ok"
