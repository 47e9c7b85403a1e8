-- `fact.area_rule` repeated, for every fact, the rule that put its activity in
-- its priority area. No query read it: the explanation is kept once per
-- activity and area in `area_tag`, which the pages and the API show. Writing
-- it cost every imported fact about 30 bytes and one more bound text.

ALTER TABLE fact DROP COLUMN area_rule;
