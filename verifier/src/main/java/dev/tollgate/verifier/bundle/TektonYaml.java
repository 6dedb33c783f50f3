package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Reads a bundle document as Tekton reads it, or refuses it. Tekton converts YAML to JSON with Go's
 * {@code sigs.k8s.io/yaml} (go-yaml v2, YAML 1.1): it expands anchors, aliases and merge keys
 * ({@code <<}), reads {@code yes/no/on/off} as booleans and {@code 0777}, {@code 0x1F}, {@code
 * 1_000} as numbers, lets the last of duplicate keys win and reads the first document only. Jackson
 * reads the same text as YAML 1.2 without merge keys, so instead of imitating Go this refuses every
 * construct the two read differently; what is left reads the same in both (checked against the Go
 * program in {@code TektonReadingParityTest}).
 */
public final class TektonYaml {
  private static final int MAX_DEPTH = 64;
  private static final Set<String> YAML11_BOOLEANS =
      Set.of(
          "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
          "OFF", "True", "TRUE", "False", "FALSE");
  private static final Set<String> OTHER_NULLS = Set.of("~", "Null", "NULL");
  private static final Pattern SAFE_INT = Pattern.compile("0|-?[1-9][0-9]{0,17}");
  private static final Pattern SAFE_DECIMAL =
      Pattern.compile("-?(0|[1-9][0-9]{0,14})\\.[0-9]{1,15}");
  // Everything go-yaml v2 may resolve to a number (int with base prefixes and underscores, float
  // with exponent, infinities, NaN), or Jackson may read as one (sexagesimal).
  private static final Pattern NUMBERISH =
      Pattern.compile(
          "[-+]?(\\.[0-9_]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
              + "|[-+]?0[xXoObB][0-9a-fA-F_]*"
              + "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
              + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");

  private TektonYaml() {}

  /**
   * A document Tekton would read differently from the verifier; the message says what and where.
   */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** Parses one Tekton resource as Tekton reads it, or refuses it. */
  public static JsonNode read(byte[] document) throws Refused {
    String text = utf8(document);
    check(text);
    try {
      return Yaml.readTree(document);
    } catch (JsonProcessingException e) {
      throw new Refused("not a YAML or JSON document: " + e.getOriginalMessage());
    }
  }

  private static String utf8(byte[] document) throws Refused {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(document))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Refused("the document is not UTF-8");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // a BOM, control characters and the YAML 1.1-only line breaks (NEL, LS, PS) are read
      // differently by YAML 1.1 and 1.2 readers
      if (c == '\uFEFF'
          || c == '\u0085'
          || c == '\u2028'
          || c == '\u2029'
          || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
          || c == 0x7f) {
        throw new Refused(
            "the document holds the character U+"
                + Integer.toHexString(c | 0x10000).substring(1).toUpperCase(java.util.Locale.ROOT)
                + " at offset "
                + i);
      }
    }
    return text;
  }

  /** One open collection: a mapping remembers its keys and whether a key is due next. */
  private static final class Level {
    final boolean mapping;
    final Set<String> keys = new HashSet<>();
    boolean keyNext = true;

    Level(boolean mapping) {
      this.mapping = mapping;
    }
  }

  private static void check(String text) throws Refused {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Yaml.MAX_DOCUMENT_CODE_POINTS);
    Parser parser = new ParserImpl(new StreamReader(text), options);
    Deque<Level> open = new ArrayDeque<>();
    int documents = 0;
    try {
      while (parser.peekEvent() != null) {
        Event event = parser.getEvent();
        if (event.is(Event.ID.StreamEnd)) {
          break;
        }
        if (event instanceof DocumentStartEvent d) {
          if (++documents > 1) {
            throw refused(event, "a second document (Tekton reads only the first; one per layer)");
          }
          if (d.getVersion() != null || (d.getTags() != null && !d.getTags().isEmpty())) {
            throw refused(event, "a %YAML or %TAG directive");
          }
          continue;
        }
        if (event instanceof AliasEvent) {
          throw refused(event, "an alias (*" + ((AliasEvent) event).getAnchor() + ")");
        }
        if (event instanceof NodeEvent n && n.getAnchor() != null) {
          throw refused(event, "an anchor (&" + n.getAnchor() + ")");
        }
        if (event.is(Event.ID.MappingEnd) || event.is(Event.ID.SequenceEnd)) {
          open.pop();
          advance(open);
          continue;
        }
        if (event instanceof CollectionStartEvent c) {
          if (c.getTag() != null) {
            throw refused(event, "the tag " + c.getTag());
          }
          Level parent = open.peek();
          if (parent != null && parent.mapping && parent.keyNext) {
            throw refused(event, "a mapping or sequence used as a key");
          }
          if (open.size() >= MAX_DEPTH) {
            throw refused(event, "nesting deeper than " + MAX_DEPTH);
          }
          open.push(new Level(event.is(Event.ID.MappingStart)));
          continue;
        }
        if (event instanceof ScalarEvent s) {
          scalar(s, open.peek());
          advance(open);
        }
      }
    } catch (YAMLException e) {
      throw new Refused("not a YAML document: " + firstLine(e.getMessage()));
    }
    if (documents == 0) {
      throw new Refused("the document is empty");
    }
  }

  private static void advance(Deque<Level> open) {
    Level parent = open.peek();
    if (parent != null && parent.mapping) {
      parent.keyNext = !parent.keyNext;
    }
  }

  private static void scalar(ScalarEvent s, Level parent) throws Refused {
    if (s.getTag() != null) {
      throw refused(s, "the tag " + s.getTag());
    }
    boolean key = parent != null && parent.mapping && parent.keyNext;
    String value = s.getValue();
    if (s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN) {
      if ("<<".equals(value)) {
        throw refused(s, "a merge key (<<)");
      }
      if (YAML11_BOOLEANS.contains(value)) {
        throw refused(
            s,
            "'"
                + value
                + "', a boolean in Tekton's YAML 1.1 reading; quote it or write true/false");
      }
      if (OTHER_NULLS.contains(value) || (key && (value.isEmpty() || "null".equals(value)))) {
        throw refused(s, "'" + value + "' as null; write null, or quote it");
      }
      if (NUMBERISH.matcher(value).matches()
          && !SAFE_INT.matcher(value).matches()
          && (key || !SAFE_DECIMAL.matcher(value).matches())) {
        throw refused(
            s,
            "'" + value + "', a number Tekton's YAML 1.1 reading may read differently; quote it");
      }
    }
    if (key && !parent.keys.add(value)) {
      throw refused(s, "the key '" + value + "' twice (Tekton keeps the last, silently)");
    }
  }

  private static Refused refused(Event event, String what) {
    String where =
        event.getStartMark() == null
            ? ""
            : " at line "
                + (event.getStartMark().getLine() + 1)
                + " column "
                + (event.getStartMark().getColumn() + 1);
    return new Refused(
        "the document holds "
            + what
            + where
            + ", which Go's YAML 1.1 reader (Tekton's) reads differently from the verifier's");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
