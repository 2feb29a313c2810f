//! Custos official forms rendered as PDF, xlsx and docx.
