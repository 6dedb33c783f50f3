package dev.tollgate.ledger.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log lines the ledger's classes write while it is open, as formatted text with their level:
 * what an operator reads, checked by tests of the paths that should say something.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final Logger logger;

  private record Line(int level, String text) {}

  private final List<Line> lines = new ArrayList<>();

  private LogCapture(String category) {
    // Held here: the log manager keeps loggers only weakly.
    this.logger = Logger.getLogger(category);
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** Captures everything logged under {@code dev.tollgate.ledger}. */
  public static LogCapture ledger() {
    return new LogCapture("dev.tollgate.ledger");
  }

  @Override
  public synchronized void publish(LogRecord record) {
    String message = record.getMessage();
    Object[] parameters = record.getParameters();
    if (parameters != null && parameters.length > 0 && message != null) {
      try {
        message = String.format(Locale.ROOT, message, parameters);
      } catch (java.util.IllegalFormatException e) {
        message = message + " " + java.util.Arrays.toString(parameters);
      }
    }
    lines.add(new Line(record.getLevel().intValue(), record.getLoggerName() + ": " + message));
  }

  /** The warnings (and errors) logged so far that contain {@code text}. */
  public synchronized List<String> warnings(String text) {
    return containing(Level.WARNING, text);
  }

  /** The errors logged so far that contain {@code text}. */
  public synchronized List<String> errors(String text) {
    return containing(Level.SEVERE, text);
  }

  /** The lines of at least INFO logged so far that contain {@code text}. */
  public synchronized List<String> infos(String text) {
    return containing(Level.INFO, text);
  }

  private List<String> containing(Level atLeast, String text) {
    return lines.stream()
        .filter(line -> line.level() >= atLeast.intValue() && line.text().contains(text))
        .map(Line::text)
        .toList();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
