//! Custos web shell: axum routes, askama templates, static assets.
