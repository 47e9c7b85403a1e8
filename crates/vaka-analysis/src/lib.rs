//! Pure coordination analysis: classification into priority areas, apportioning, currency conversion, the coverage matrix.
