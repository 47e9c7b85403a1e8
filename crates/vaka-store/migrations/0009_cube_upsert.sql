-- `fact_cube` is kept equal to the sums of `fact` by each import's own
-- transaction (an upsert of the file's sums, see `analysis::cube`) instead of
-- a rebuild of the whole cube after every import run. The upsert needs the
-- cube's key to be unique; a rebuild first makes sure the cube is exact,
-- whatever state an older version left it in.

DELETE FROM fact_cube;

INSERT INTO fact_cube (framework_id, measure, geo_kind, geo_code, area_id, reporting_org, funding_org,
                       year, rate_year, currency, amount_minor, transactions)
SELECT framework_id, measure, geo_kind, geo_code, area_id, reporting_org, funding_org,
       year, rate_year, currency, CAST(SUM(amount_minor) AS BIGINT), COUNT(*)
FROM fact
GROUP BY framework_id, measure, geo_kind, geo_code, area_id, reporting_org, funding_org,
         year, rate_year, currency;

DELETE FROM store_state WHERE key = 'cube_stale';

CREATE UNIQUE INDEX fact_cube_key ON fact_cube (framework_id, measure, geo_kind, geo_code, area_id,
                                                reporting_org, funding_org, year, rate_year, currency);
