"""The standard library's regular-expression parser, which is private (``re._parser``,
``re._constants``): the parser reads a pattern's syntax tree for the literals every match must
hold (nianbao.parse.prefilter) and for what a phrase part may match (nianbao.parse.stated_figures).
The tree's shape changes between Python versions, so this is the one place that imports it."""
from re import _constants as constants  # noqa: F401 (re-exported)
from re import _parser as parser  # noqa: F401 (re-exported)

VERIFIED_ON = {"python": "3.11"}
