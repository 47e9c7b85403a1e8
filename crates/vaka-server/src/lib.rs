//! The Vaka web application: pages, the JSON API, accounts.
