//! Ministerial announcements: front matter, Markdown body, and extraction of partners, areas, amounts and commitments.
