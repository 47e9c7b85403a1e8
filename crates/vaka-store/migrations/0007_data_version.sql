-- One counter that every committed change to the data the read pages
-- aggregate (imports, classification, overrides, frameworks, reference data)
-- moves forward, after its commit. Readers memoise aggregates under the value
-- they read first, so a cached answer is never newer than the data and never
-- outlives a change by more than the moment between a commit and its bump.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);
