-- The outcome-category columns of mart_agency_year must add up to requests_processed (the sum
-- of every leaf outcome). Fails if the vocabulary gains an outcome category that the mart does
-- not pivot into a column.

select agency_id, report_year, requests_processed
from {{ ref('mart_agency_year') }}
where requests_processed is not null
  and requests_processed <> coalesce(requests_granted, 0)
      + coalesce(requests_partially_granted, 0)
      + coalesce(requests_denied, 0)
      + coalesce(requests_unable_to_provide, 0)
      + coalesce(requests_not_processed, 0)
      + coalesce(requests_other_outcome, 0)
