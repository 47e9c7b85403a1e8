-- Indexes for the web pages on a large store: an activity's page lists its
-- diagnostics by identifier (a full scan of `diagnostic` without this).
CREATE INDEX diagnostic_identifier ON diagnostic (iati_identifier);
