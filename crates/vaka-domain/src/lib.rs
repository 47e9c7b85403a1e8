//! Vaka's domain: frameworks, partners, countries, national plans, priority areas, money and exchange rates.
