"""Is a page inert? Parsed the way browsers parse (html5lib implements the WHATWG algorithm),
it must hold no script but the portal's own files and its JSON-LD, no event handler, no
script URL, no style attribute, no frame, object or base element — whatever text it shows.

The portal's templates have none of those (its Content-Security-Policy would refuse them), so
any that appears came from what someone typed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import html5lib

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "poster",
                  "xlink:href", "{http://www.w3.org/1999/xlink}href", "codebase", "cite",
                  "ping", "manifest", "icon", "lowsrc", "dynsrc"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg", "livescript:")
NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style",
         "portal", "noembed", "isindex"}


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _scheme(value: str) -> str:
    return re.sub(r"[\x00-\x20]", "", value).lower()


def problems(html: str) -> list[str]:
    """What in `html` could run, or load, something its authors did not put there."""
    found = []
    root = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag)
        attributes = {_local(k): v for k, v in element.attrib.items()}
        if tag in NEVER:
            found.append(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in attributes:
            found.append("<meta http-equiv>")
        if tag == "script":
            kind = attributes.get("type", "")
            if kind == "application/ld+json":
                try:
                    json.loads(element.text or "")
                except ValueError:
                    found.append("JSON-LD broken out of")
            elif not attributes.get("src", "").startswith("/static/"):
                found.append(f"<script src={attributes.get('src')!r}>: {element.text!r}")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…> event handler")
            elif name in ("style", "srcdoc"):
                found.append(f"<{tag} {name}=…>")
            elif name in URL_ATTRIBUTES and _scheme(value).startswith(SCRIPT_SCHEMES):
                found.append(f"<{tag} {name}={value!r}>")
    return found


# The elements RSS readers render as HTML (a title or category is plain text by the spec).
HTML_ELEMENTS = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded",
                 "{http://www.itunes.com/dtds/podcast-1.0.dtd}summary"}


def xml_problems(xml: str) -> list[str]:
    """A feed: well formed (nothing broke out of an element), and no HTML element whose text a
    reader would run (its markup must arrive escaped once more, as text)."""
    try:
        root = ET.fromstring(xml.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well formed: {exc}"]
    found = []
    for element in root.iter():
        if element.tag in HTML_ELEMENTS and element.text and "<" in element.text:
            found.extend(f"{element.tag}: {p}" for p in problems(element.text))
    return found
