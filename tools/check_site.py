"""Open every page of the offline site in headless Chromium and fail on what a reader would see broken.

    python tools/check_site.py                # check _site/ (built by tools/build_docs.py); screenshots
    python tools/check_site.py --self-test    # first show that a page broken on purpose fails each check

A page fails on: TeX left as text (`$...$` outside code), Pandoc attribute text that leaked (`{target="_blank" ...}`),
an image that does not load, a main column wider than its box (a table or formula that pushes the page sideways), or a
JavaScript error. Each page is opened as a copy with a small script added first in its head: it records errors as they
happen, runs the checks once the page has loaded, and writes its report into the page, which Chromium's `--dump-dom`
returns. Screenshots of the key pages go to `_site/screenshots/` for a reviewer to look at.
"""
import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY_PAGES = ("index.html", "lyapunov.html", "catalogue_results.html", "performance.html")
CHECKER = r"""<script>
window.__siteErrors = [];
window.addEventListener("error", e => window.__siteErrors.push(e.message || ("failed to load " + (e.target.src || e.target.href))), true);
window.addEventListener("unhandledrejection", e => window.__siteErrors.push("unhandled rejection: " + e.reason));
window.addEventListener("load", () => setTimeout(() => {
  const main = document.querySelector("main") || document.body;
  const report = {errors: window.__siteErrors, tex: [], attributes: [], images: [], overflow: null};
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("pre, code, script, style, math")) continue;
    for (const m of node.nodeValue.matchAll(/\$\$?[^$]+\$\$?/g)) report.tex.push(m[0].slice(0, 80));
    for (const m of node.nodeValue.matchAll(/\{\s*(?:[.#][\w-]+|[\w-]+=)[^{}]*\}/g)) report.attributes.push(m[0].slice(0, 80));
  }
  for (const img of document.images) if (!img.complete || img.naturalWidth === 0) report.images.push(img.getAttribute("src").slice(0, 100));
  if (main.scrollWidth > main.clientWidth + 1) {
    const widest = [...main.querySelectorAll("*")].reduce((a, b) => (b.scrollWidth > (a ? a.scrollWidth : 0) ? b : a), null);
    report.overflow = `${main.scrollWidth}px of content in ${main.clientWidth}px, widest <${widest.tagName.toLowerCase()} class="${widest.className}">`;
  }
  const out = document.createElement("pre");
  out.id = "site-check-report";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
}, 200));
</script>"""
BROKEN_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><main style="width: 300px; overflow-x: auto">
<p>A formula left as text: $\\lambda_1 = 0.9056$.</p>
<p><a href="x.html">source</a>{target="_blank" style="float:right"}</p>
<img src="missing.png">
<div style="width: 2000px">a table too wide for the column</div>
<script>undefinedFunction();</script>
</main></body></html>
"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("check_site: no Chromium found; install it (Debian: apt-get install chromium).")


def browse(page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1280,1600", "--virtual-time-budget=5000", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


def check_page(page: Path) -> list[str]:
    "What is broken on `page` (an instrumented copy is opened beside it, then removed)."
    copy = page.with_name(f".check-{page.name}")
    copy.write_text(page.read_text().replace("<head>", "<head>" + CHECKER, 1))
    try:
        dom = browse(copy, "--dump-dom").stdout
    finally:
        copy.unlink()
    found = re.search(r'<pre id="site-check-report">(.*?)</pre>', dom, re.S)
    if not found:
        return ["the page did not finish loading in Chromium"]
    report = json.loads(html.unescape(found.group(1)))
    problems = [f"JavaScript error: {error}" for error in report["errors"]]
    problems += [f"TeX left as text: {tex}" for tex in report["tex"]]
    problems += [f"attribute text leaked: {text}" for text in report["attributes"]]
    problems += [f"image does not load: {src}" for src in report["images"]]
    problems += [f"main column overflows: {report['overflow']}"] if report["overflow"] else []
    return problems


def self_test() -> None:
    "A page broken in each way must fail each check; otherwise the checker cannot be trusted."
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "broken.html"
        page.write_text(BROKEN_PAGE)
        problems = check_page(page)
    expected = ("JavaScript error", "TeX left as text", "attribute text leaked", "image does not load", "main column overflows")
    missed = [kind for kind in expected if not any(problem.startswith(kind) for problem in problems)]
    if missed:
        sys.exit(f"check_site self-test: a broken page passed the checks for {missed}; found only {problems}")
    print(f"self-test: the broken page fails all {len(expected)} checks")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=ROOT / "_site")
    parser.add_argument("--self-test", action="store_true", help="first check that a broken page fails every check")
    args = parser.parse_args()
    if args.self_test:
        self_test()
    pages = sorted(args.site.glob("*.html"))
    if not pages:
        sys.exit(f"check_site: no pages in {args.site}; build them with python tools/build_docs.py")
    failed = {}
    for page in pages:
        if problems := check_page(page):
            failed[page.name] = problems
    shots = args.site / "screenshots"
    shots.mkdir(exist_ok=True)
    for name in KEY_PAGES:
        if (args.site / name).exists():
            browse(args.site / name, f"--screenshot={shots / name.replace('.html', '.png')}")
    for name, problems in failed.items():
        print(f"{name}:\n  " + "\n  ".join(problems[:10]) + (f"\n  ... {len(problems) - 10} more" if len(problems) > 10 else ""),
              file=sys.stderr)
    print(f"checked {len(pages)} pages in Chromium: {len(pages) - len(failed)} clean, {len(failed)} with problems; "
          f"screenshots in {shots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
