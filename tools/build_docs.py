"""Build the documentation without Quarto: an offline static site in _site/, and README.md from nbs/index.ipynb.

    python tools/build_docs.py            # site and README
    python tools/build_docs.py --check    # also fail if README.md changed (CI)

The input is nbdev's own processed notebooks (`nbdev.serve.proc_nbs`, the input Quarto would get, with `show_doc`
API documentation executed); nbconvert renders them to HTML with the figures saved in the notebooks, and every page gets
the sidebar of nbs/sidebar.yml. Links between notebooks and to the documentation site are made relative, and every
internal link is checked: a broken one fails the build. The TeX in the prose is rendered to MathML here, at build
time (latex2mathml), so formulas need no script and no network: browsers draw MathML themselves. A formula that does
not convert fails the build.
"""
import argparse
import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import yaml
from latex2mathml.converter import convert as tex_to_mathml
from nbdev.config import nbpath2html
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from pygments.formatters import HtmlFormatter

ROOT = Path(__file__).resolve().parents[1]
NBS, PROC, SITE = ROOT / "nbs", ROOT / "_proc", ROOT / "_site"


def page_name(notebook: str) -> str:
    "The page a notebook becomes, as nbdev and Quarto name it: `02_integrate.ipynb` -> `integrate.html`."
    return nbpath2html(notebook).name


def doc_url() -> str:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["project"]["urls"]["Documentation"].rstrip("/") + "/"


def front_matter(nb) -> dict:
    "Title and description from the raw YAML cell that nbdev puts first."
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith("---"):
            return yaml.safe_load(cell.source.strip().strip("-")) or {}
    return {}


def prepare(nb) -> None:
    "Drop front matter, hide the source of `echo: false` cells, strip `#|` directives from what is shown."
    cells = []
    allowed = {"cell_type", "id", "metadata", "source", "outputs", "execution_count", "attachments"}
    for cell in nb.cells:
        for key in set(cell) - allowed:  # nbdev's processing marks cells with keys nbformat does not know
            del cell[key]
        cell.metadata.pop("execution", None)  # execution timings, not valid nbformat metadata
        if cell.cell_type == "raw":
            continue
        if cell.cell_type == "code":
            lines = cell.source.splitlines()
            directives = [line for line in lines if line.startswith("#|")]
            if any(re.match(r"#\|\s*hide\b", d) for d in directives):
                continue
            if any(re.match(r"#\|\s*echo:\s*false", d) for d in directives):
                cell.metadata.setdefault("tags", []).append("remove_input")
            cell.source = "\n".join(line for line in lines if not line.startswith("#|")).strip()
            if not cell.source and not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells


def quarto_ids(text: str) -> str:
    "Give each heading the id Quarto would (lower case, dashes), which nbdev's API links point to, beside nbconvert's."
    def alias(match):
        quarto = re.sub(r"[^\w\s.-]", "", match.group(2)).strip().lower().replace(" ", "-")
        return match.group(0) if quarto == match.group(2) else f'<a id="{quarto}"></a>{match.group(0)}'
    return re.sub(r'(<h[1-6][^>]*id=")([^"]+)"', alias, text)


def relink(text: str, base: str, prefix: str = "") -> str:
    "Make links to notebooks and to the documentation site relative links between pages."
    text = re.sub(r'href="' + re.escape(base) + r'([^"#]*)', lambda m: f'href="{prefix}{m.group(1) or "index.html"}', text)
    return re.sub(r'href="([\w.-]+)\.ipynb', lambda m: f'href="{prefix}{page_name(m.group(1))}', text)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – chaoslit</title>
<style>
body {{ margin: 0; font: 16px/1.55 system-ui, sans-serif; color: #222; display: flex; }}
nav {{ width: 15rem; flex: none; padding: 1.5rem 1rem; background: #f6f7f9; min-height: 100vh; box-sizing: border-box; }}
nav a {{ display: block; padding: .25rem .5rem; color: #245; text-decoration: none; border-radius: 4px; }}
nav a.here {{ background: #dde6f0; font-weight: 600; }}
nav .section {{ display: block; margin: .9rem 0 .2rem; padding: 0 .5rem; font-size: .8rem; font-weight: 700; color: #567; text-transform: uppercase; letter-spacing: .04em; }}
main {{ max-width: 58rem; min-width: 0; padding: 1.5rem 2.5rem; overflow-x: auto; }}
.table-scroll, .math-scroll {{ overflow-x: auto; max-width: 100%; }} .math-scroll {{ display: block; }} math[display="block"] {{ margin: .8rem 0; }}
pre {{ background: #f6f8fa; padding: .6rem .8rem; overflow-x: auto; font-size: 13.5px; border-radius: 4px; }}
table {{ border-collapse: collapse; margin: 1rem 0; }} td, th {{ border: 1px solid #ccd; padding: .25rem .5rem; }}
img {{ max-width: 100%; }} .description {{ color: #555; font-size: 1.1rem; }}
.jp-OutputArea-output pre, .output_text pre {{ background: #fff; border-left: 3px solid #dde; }}
{pygments}
</style>
</head><body><nav><strong>chaoslit</strong>{nav}</nav>
<main><h1>{title}</h1><p class="description">{description}</p>
{body}
</main></body></html>
"""


_VERBATIM = re.compile(r"(<pre[\s>].*?</pre>|<code[\s>].*?</code>|<script[\s>].*?</script>|<style[\s>].*?</style>"
                       r"|<[^>]+>)", re.S)  # code is left as it is, and so is every tag (its attributes)
_TEX = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?=\S)([^$]+?)(?<=\S)\$(?![\w$])", re.S)


def render_math(body: str, failures: list) -> str:
    """The TeX of the prose (`$...$` inline, `$$...$$` displayed) as MathML; code, scripts, styles and the tags
    themselves are left as they are (TeX glued to a word, `$n$th`, stays text: the browser check finds it). A formula that latex2mathml cannot convert is kept as text and added to `failures`."""
    def one(match):
        tex = html.unescape(match.group(1) or match.group(2)).strip()
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", tex):  # "\frac" written in a plain string: a form feed, "rac"
            failures.append(f"{tex!r} (a control character: a backslash taken as an escape)")
            return match.group(0)
        try:
            if match.group(1):  # a displayed formula wider than the column scrolls on its own
                return f'<span class="math-scroll">{tex_to_mathml(tex, display="block")}</span>'
            return tex_to_mathml(tex, display="inline")
        except Exception as error:  # latex2mathml raises its own exceptions, one per kind of bad input
            failures.append(f"{tex!r} ({type(error).__name__}: {error})")
            return match.group(0)
    parts = _VERBATIM.split(body)
    return "".join(part if i % 2 else _TEX.sub(one, part) for i, part in enumerate(parts))


def link_attributes(body: str) -> str:
    """Pandoc's attributes after a link, `[source](url){target="_blank" style="..."}` (nbdev's `show_doc` writes them for
    Quarto), made the link's own attributes instead of text after it."""
    def one(match):
        pairs = re.findall(r'([\w-]+)="([^"]*)"', match.group(3))
        return match.group(1) + "".join(f' {key}="{value}"' for key, value in pairs) + ">" + match.group(2) + "</a>"
    return re.sub(r'(<a [^>]*)>([^<]*)</a>\{((?:\s*[\w-]+="[^"]*")+\s*)\}', one, body)


def scroll_tables(body: str) -> str:
    "Each table in a box of its own that scrolls sideways, so a wide table never widens the page's column."
    return re.sub(r"(<table[\s>].*?</table>)", r'<div class="table-scroll">\1</div>', body, flags=re.S)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def check_links(site: Path) -> list[str]:
    "Every relative link between pages must point to an existing page (and anchor, where given)."
    parsed = {}
    for page in site.glob("*.html"):
        parser = _Links()
        parser.feed(page.read_text())
        parsed[page.name] = parser
    broken = []
    for name, parser in parsed.items():
        for link in parser.links:
            if re.match(r"^(https?:|mailto:|#$)", link):
                continue
            target, _, anchor = link.partition("#")
            target = target or name
            if target not in parsed:
                broken.append(f"{name}: {link} (no such page)")
            elif anchor and anchor not in parsed[target].ids:
                broken.append(f"{name}: {link} (no such anchor)")
    return broken


def sidebar_entries(contents: list, depth: int = 0) -> list[tuple[bool, str, int]]:
    """The sidebar in order, as (is a section heading, text, depth): a page's notebook, or a Quarto `section` and its
    pages, one level deeper."""
    entries = []
    for item in contents:
        if isinstance(item, dict) and "section" in item:
            entries += [(True, item["section"], depth)] + sidebar_entries(item.get("contents", []), depth + 1)
        elif isinstance(item, dict):  # a page given as {href, text}
            entries.append((False, item["href"], depth))
        else:
            entries.append((False, item, depth))
    return entries


def build_site(notebooks: list[Path], base: str) -> list[str]:
    "Write the pages; return the formulas that did not convert to MathML."
    SITE.mkdir(exist_ok=True)
    for old in SITE.glob("*.html"):
        old.unlink()
    sidebar = yaml.safe_load((NBS / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]
    titles = {}
    loaded = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        titles[path.name] = front_matter(nb).get("title", path.stem)
        loaded[path.name] = nb
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"remove_input"}, enabled=True), enabled=True)
    pygments = HtmlFormatter().get_style_defs(".highlight")
    math_failures = []
    for name, nb in loaded.items():
        meta = front_matter(nb)
        prepare(nb)
        body, _ = exporter.from_notebook_node(nb)
        nav = "".join(
            f'<span class="section">{html.escape(item)}</span>' if heading else
            f'<a href="{page_name(item)}" class="{"here" if item == name else ""}" style="margin-left: {depth}rem">'
            f'{html.escape(titles.get(item, item))}</a>'
            for heading, item, depth in sidebar_entries(sidebar)
        )
        failures = []
        body = scroll_tables(link_attributes(render_math(body, failures)))
        math_failures += [f"{name}: {failure}" for failure in failures]
        description = render_math(html.escape(meta.get("description", "")), failures)
        page = PAGE.format(title=html.escape(meta.get("title", name)), description=description,
                           nav=nav, body=quarto_ids(relink(body, base)), pygments=pygments)
        (SITE / page_name(name)).write_text(page)
        print(f"  {name} -> _site/{page_name(name)}")
    return math_failures


def build_readme(index: Path, base: str) -> str:
    "README.md from the processed index notebook: its prose, code and text outputs (figures stay on the site)."
    nb = nbformat.read(index, as_version=4)
    meta = front_matter(nb)
    prepare(nb)
    parts = [f"# {meta.get('title', 'chaoslit')}", "", f"> {meta.get('description', '')}", ""]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if cell.source.startswith("<!-- WARNING"):
                continue
            parts += [re.sub(r"\]\(([\w.-]+\.ipynb)\)", r"](nbs/\1)", cell.source), ""]
        elif cell.cell_type == "code" and "remove_input" not in cell.metadata.get("tags", []):
            parts += ["```python", cell.source, "```", ""]
            for output in cell.outputs:
                text = output.get("text") or output.get("data", {}).get("text/plain")
                if text and output.get("output_type") == "stream":
                    parts += ["```", text.rstrip(), "```", ""]
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if README.md is not what the notebook gives")
    args = parser.parse_args()
    from nbdev.serve import proc_nbs

    print("processing notebooks with nbdev ...")
    proc_nbs(str(NBS), n_workers=0)
    notebooks = sorted(PROC.glob("*.ipynb"))
    base = doc_url()
    math_failures = build_site(notebooks, base)
    if math_failures:
        print("formulas that do not convert to MathML:\n  " + "\n  ".join(math_failures), file=sys.stderr)
        return 1
    broken = check_links(SITE)
    if broken:
        print("broken links:\n  " + "\n  ".join(broken), file=sys.stderr)
        return 1
    readme = build_readme(PROC / "index.ipynb", base)
    old = (ROOT / "README.md").read_text() if (ROOT / "README.md").exists() else ""
    (ROOT / "README.md").write_text(readme)
    if args.check and readme != old:
        print("README.md was out of date with nbs/index.ipynb: rebuilt it; commit the change.", file=sys.stderr)
        return 1
    print(f"site: {SITE} ({len(notebooks)} pages, links checked); README.md from nbs/index.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
