package dev.portcullis.mgmt.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads one YAML 1.2 document into a {@link YamlNode} tree whose nodes know their spans in the text.
 *
 * <p>It refuses what the policy reader refuses (anchors, aliases, tags beyond the core schema's, more than one
 * document, nesting deeper than {@value #MAX_DEPTH}, more than 64 Mi code points) and what an edit could not place
 * unambiguously (a key written twice, a key that is not a scalar). It builds the tree from snakeyaml-engine's
 * events iteratively, so deep nesting cannot overflow the stack. snakeyaml-engine counts positions in code points;
 * they are turned into char indices here.
 *
 * <p>Stateless; thread-safe.
 */
final class YamlParser {

    static final int MAX_DEPTH = 64;
    static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

    private static final Set<String> CORE_TAGS = Set.of(
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null", "tag:yaml.org,2002:float", "tag:yaml.org,2002:seq",
            "tag:yaml.org,2002:map", "!");

    private YamlParser() {
    }

    /** A mapping or list being built. */
    private static final class Open {
        final boolean mapping;
        final boolean flow;
        final int start;
        final List<YamlNode> items = new ArrayList<>();
        final List<YamlNode.Entry> entries = new ArrayList<>();
        final Map<String, Integer> seenKeys = new HashMap<>();
        YamlNode.Scalar pendingKey;

        Open(boolean mapping, boolean flow, int start) {
            this.mapping = mapping;
            this.flow = flow;
            this.start = start;
        }
    }

    /**
     * Parses {@code text}; {@code source} names it in messages ({@code candidate:3:7: ...}).
     *
     * @return the root, or empty for a document without content
     * @throws ConfigException of {@code kind} saying where and why when the text cannot be read as described above
     */
    static Optional<YamlNode> parse(String text, String source, ConfigException.Kind kind) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setCodePointLimit(MAX_CODE_POINTS)
                .setAllowDuplicateKeys(true) // refused below, with both places
                .setUseMarks(true)
                .build();
        Positions positions = new Positions(text);
        Deque<Open> stack = new ArrayDeque<>();
        YamlNode root = null;
        int documents = 0;
        try {
            ParserImpl parser = new ParserImpl(settings, new StreamReader(settings, text));
            while (parser.hasNext()) {
                Event event = parser.next();
                switch (event.getEventId()) {
                    case DocumentStart -> {
                        if (++documents == 2) {
                            throw refuse(kind, source, positions, event, "more than one YAML document");
                        }
                    }
                    case Alias -> throw refuse(kind, source, positions, event,
                            "YAML aliases are not allowed in a policy");
                    case Scalar -> {
                        ScalarEvent s = (ScalarEvent) event;
                        check(kind, source, positions, s, s.getTag());
                        YamlNode.Scalar node = new YamlNode.Scalar(s.getValue(), s.isPlain(),
                                positions.start(event), positions.end(event));
                        root = attach(kind, source, positions, stack, node, root);
                    }
                    case SequenceStart, MappingStart -> {
                        CollectionStartEvent c = (CollectionStartEvent) event;
                        check(kind, source, positions, c, c.getTag());
                        if (stack.size() >= MAX_DEPTH) {
                            throw refuse(kind, source, positions, event, "nesting deeper than " + MAX_DEPTH
                                    + " levels");
                        }
                        stack.push(new Open(event.getEventId() == Event.ID.MappingStart, c.isFlow(),
                                positions.start(event)));
                    }
                    case SequenceEnd, MappingEnd -> {
                        Open done = stack.pop();
                        YamlNode node = done.mapping ? mapping(done, positions.end(event))
                                : sequence(done, positions.end(event));
                        root = attach(kind, source, positions, stack, node, root);
                    }
                    default -> {
                        // StreamStart/End, DocumentEnd, Comment: nothing to build
                    }
                }
            }
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            String where = mark == null ? source : source + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new ConfigException(kind, where + ": malformed YAML: " + oneLine(e.getProblem()));
        } catch (YamlEngineException e) {
            throw new ConfigException(kind, source + ": unreadable YAML: " + oneLine(e.getMessage()));
        }
        return Optional.ofNullable(root);
    }

    private static YamlNode.Mapping mapping(Open done, int endMark) {
        if (done.flow || done.entries.isEmpty()) {
            return new YamlNode.Mapping(done.entries, true, done.start, endMark);
        }
        return new YamlNode.Mapping(done.entries, false, done.entries.getFirst().key().start(),
                done.entries.getLast().value().end());
    }

    private static YamlNode.Sequence sequence(Open done, int endMark) {
        if (done.flow || done.items.isEmpty()) {
            return new YamlNode.Sequence(done.items, true, done.start, endMark);
        }
        return new YamlNode.Sequence(done.items, false, done.start, done.items.getLast().end());
    }

    private static YamlNode attach(ConfigException.Kind kind, String source, Positions positions, Deque<Open> stack,
                                   YamlNode node, YamlNode root) throws ConfigException {
        Open parent = stack.peek();
        if (parent == null) {
            return node;
        }
        if (!parent.mapping) {
            parent.items.add(node);
            return root;
        }
        if (parent.pendingKey == null) {
            if (!(node instanceof YamlNode.Scalar key)) {
                throw new ConfigException(kind, positions.place(source, node.start())
                        + ": a mapping key must be a plain word, not a list or mapping");
            }
            Integer first = parent.seenKeys.putIfAbsent(key.value(), key.start());
            if (first != null) {
                throw new ConfigException(kind, positions.place(source, key.start()) + ": duplicate key '"
                        + key.value() + "' (first at " + positions.place(source, first) + ")");
            }
            parent.pendingKey = key;
            return root;
        }
        parent.entries.add(new YamlNode.Entry(parent.pendingKey, node));
        parent.pendingKey = null;
        return root;
    }

    private static void check(ConfigException.Kind kind, String source, Positions positions, NodeEvent event,
                              Optional<String> tag) throws ConfigException {
        if (event.getAnchor().isPresent()) {
            throw refuse(kind, source, positions, event, "YAML anchors are not allowed in a policy");
        }
        if (tag.isPresent() && !CORE_TAGS.contains(tag.get())) {
            throw refuse(kind, source, positions, event, "YAML tag '" + tag.get() + "' is not allowed in a policy");
        }
    }

    private static ConfigException refuse(ConfigException.Kind kind, String source, Positions positions, Event event,
                                          String why) {
        return new ConfigException(kind, positions.place(source, positions.start(event)) + ": " + why);
    }

    private static String oneLine(String text) {
        return text == null ? "unknown problem" : text.replace('\n', ' ').strip();
    }

    /** Turns snakeyaml-engine's code point indices into char indices, and char indices into line:column. */
    private static final class Positions {
        private final String text;
        /** Char index of each code point index, or null when the text has no surrogate pairs (they are equal). */
        private final int[] charIndex;

        Positions(String text) {
            this.text = text;
            int cps = text.codePointCount(0, text.length());
            if (cps == text.length()) {
                charIndex = null;
            } else {
                charIndex = new int[cps + 1];
                int c = 0;
                for (int i = 0; i < cps; i++) {
                    charIndex[i] = c;
                    c += Character.charCount(text.codePointAt(c));
                }
                charIndex[cps] = text.length();
            }
        }

        int start(Event e) {
            return e.getStartMark().map(m -> toChar(m.getIndex())).orElse(0);
        }

        int end(Event e) {
            return e.getEndMark().map(m -> toChar(m.getIndex())).orElse(0);
        }

        private int toChar(int codePoint) {
            if (charIndex == null) {
                return Math.min(codePoint, text.length());
            }
            return charIndex[Math.min(codePoint, charIndex.length - 1)];
        }

        /** {@code source:line:column} of a char index, both 1-based. */
        String place(String source, int index) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < index && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            return source + ":" + line + ":" + (text.codePointCount(lineStart, Math.min(index, text.length())) + 1);
        }
    }
}
