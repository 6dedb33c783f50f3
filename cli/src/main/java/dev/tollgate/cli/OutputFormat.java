package dev.tollgate.cli;

/** What {@code --output} asks for: lines for people, or one JSON document for scripts. */
public enum OutputFormat {
  TEXT,
  JSON
}
