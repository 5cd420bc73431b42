{#
  Which of several reports of the same agency and year is the primary one (the one kept): the
  ORDER BY of the ranking window, best first — parse_status (complete, partial, narrative_only,
  metadata_only, other), then is_reconciled (true, null, false), then the latest
  published_on, then report_id (so the choice is deterministic). Used by int_report_duplicates
  for both its rankings (duplicates, and the agency-year primary of mart_agency_year).
#}
{% macro primary_report_order() -%}
    case parse_status
        when 'complete' then 1
        when 'partial' then 2
        when 'narrative_only' then 3
        when 'metadata_only' then 4
        else 5
    end,
    case when is_reconciled then 1 when is_reconciled is null then 2 else 3 end,
    published_on desc nulls last,
    report_id
{%- endmacro %}
