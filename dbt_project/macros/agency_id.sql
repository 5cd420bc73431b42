{#
  agency_id: a stable id of the issuing body (发布机构), derived from its normalised
  (simplified-Chinese) name: the first 16 hex digits of its MD5. Null when the name is null.
  Defined once here so every model derives it the same way.
#}
{% macro agency_id(agency_name) -%}
    substr(md5({{ agency_name }}), 1, 16)
{%- endmacro %}
