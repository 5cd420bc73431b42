"""Document → ParseResult. The modules, in pipeline order:

pipeline        parse_bytes / parse_document: runs the stages below; nothing escapes it
normalise       one canonical text: simplified script, half-width, script-conversion debris
tokens          lines, and lines → cell tokens (labels, values, blanks)
metadata        title, report year, publication date, 索引号 (agency: who issued it, and where)
sections        the numbered section headings of the 2019+ and pre-2019 outlines
tables          tables 二, 三, 四 read by label into canonical cells
stated_figures  figures stated outside the tables (pre-2019 measures, 2019+ prose restatements)
rules           the vocabulary's reconciliation rules on one report's cells
model           what a parse produces (ParseResult, Cell, Note, Metadata)
prefilter       literal pre-filters that let a regular expression scan be skipped
"""
