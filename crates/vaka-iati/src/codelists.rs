//! The IATI 2.03 codelists, embedded. (Implementation in progress.)
