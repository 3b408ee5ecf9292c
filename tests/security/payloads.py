"""Hostile inputs: XSS payloads (from the OWASP and PortSwigger cheat sheets) and open-redirect
targets. Each XSS payload carries a marker, `X{n}X`, so a check can tell the payload's own
markup from the page's."""

from __future__ import annotations

_XSS = [
    "<script>alert('{m}')</script>",
    "<SCRIPT SRC=//evil.example/{m}.js></SCRIPT>",
    "<img src=x onerror=alert('{m}')>",
    "<img src=\"x\" onerror=\"alert('{m}')\">",
    "\"><script>alert('{m}')</script>",
    "'><script>alert('{m}')</script>",
    "</title><script>alert('{m}')</script>",
    "</textarea><script>alert('{m}')</script>",
    "</script><script>alert('{m}')</script>",
    "<svg onload=alert('{m}')>",
    "<svg><script>alert('{m}')</script></svg>",
    "<body onload=alert('{m}')>",
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('{m}')</script>\"></iframe>",
    "<a href=\"javascript:alert('{m}')\">{m}</a>",
    "<a href=\" javascript:alert('{m}')\">{m}</a>",
    "<a href=\"jav&#x09;ascript:alert('{m}')\">{m}</a>",
    "<a href=\"JaVaScRiPt:alert('{m}')\">{m}</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">{m}</a>",
    "<a href=\"vbscript:msgbox('{m}')\">{m}</a>",
    "<details open ontoggle=alert('{m}')>",
    "<input autofocus onfocus=alert('{m}')>",
    "<video><source onerror=alert('{m}')></video>",
    "<audio src=x onerror=alert('{m}')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}')>",
    "<object data=\"javascript:alert('{m}')\"></object>",
    "<embed src=\"javascript:alert('{m}')\">",
    "<form action=\"javascript:alert('{m}')\"><button>{m}</button></form>",
    "<button formaction=\"javascript:alert('{m}')\">{m}</button>",
    "<base href=\"//evil.example/{m}/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('{m}')\">",
    "<link rel=stylesheet href=\"//evil.example/{m}.css\">",
    "<style>@import 'http://evil.example/{m}.css';</style>",
    "<div style=\"background:url(javascript:alert('{m}'))\">{m}</div>",
    "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
    "<<script>alert('{m}');//<</script>",
    "<img src=x:alert(alt) onerror=eval(src) alt='{m}'>",
    "<marquee onstart=alert('{m}')>",
    "<p title=\"</p><img src=x onerror=alert('{m}')>\">{m}</p>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{m}')>\"></noscript>",
    "<table background=\"javascript:alert('{m}')\">",
    "{{{{7*7}}}}{m}<%= 7*7 %>${{7*7}}",  # template injection, for good measure
    "javascript:alert('{m}')",
    "';alert('{m}');//",
    "\\u003cscript\\u003ealert('{m}')\\u003c/script\\u003e",
]
XSS = [payload.format(m=f"X{n}X") for n, payload in enumerate(_XSS)]
assert len(XSS) >= 40


def marker(payload: str) -> str:
    start = payload.index("X")
    end = payload.index("X", start + 1)
    return payload[start:end + 1]


# Where `next=` must never send anyone: other sites by every spelling browsers accept.
REDIRECTS = [
    "//evil.example",
    "//evil.example/",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/%0d%0a/evil.example",
    "/\r\n/evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "https://evil.example",
    "http://evil.example/bien-tap/",
    "HTTPS://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " //evil.example",
    "\x00//evil.example",
    "//evil.example@cong.hoaan.test",
    "//cong.hoaan.test@evil.example",
    "//évil.example",
    "//xn--vil-dma.example",
    "/\u2215\u2215evil.example",  # division slash
    "/\uff0f\uff0fevil.example",  # fullwidth solidus
    "//evil\u3002example",  # ideographic full stop
    "http:/\\/evil.example",
    "/.//evil.example",
]
assert len(REDIRECTS) >= 25
