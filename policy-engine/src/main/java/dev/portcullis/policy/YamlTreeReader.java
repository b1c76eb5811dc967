package dev.portcullis.policy;

import java.io.Reader;
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
 * Reads one YAML 1.2 document into a {@link YamlNode} tree, refusing what a policy file never needs and an attacker
 * would use.
 *
 * <p>It consumes snakeyaml-engine's event stream and builds the tree itself, iteratively, so that:
 * <ul>
 *   <li>nesting deeper than {@link #MAX_DEPTH} is refused at the place it happens (the library's own composer
 *       recurses and would overflow the stack on {@code [[[[...]]]]});</li>
 *   <li>anchors and aliases are refused, so an alias bomb ("billion laughs") cannot expand; {@code sets} are the
 *       policy's way to reuse values;</li>
 *   <li>explicit tags other than the YAML core schema's are refused, so no tag can ask for an object to be made;</li>
 *   <li>a document longer than {@link #MAX_CODE_POINTS} is refused (a 100,000-rule policy is about 13 MB);</li>
 *   <li>keys must be scalars, and a key written twice in one mapping is reported at both places.</li>
 * </ul>
 * Not thread-safe; make one per document.
 */
final class YamlTreeReader {

    /** Deepest nesting accepted. A policy needs 5 levels; 64 leaves room and stays far from the stack's limit. */
    static final int MAX_DEPTH = 64;

    /** Largest document accepted, in code points: room for several 100,000-rule policies (about 13 MB each). */
    static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

    private static final Set<String> CORE_TAGS = Set.of(
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null", "tag:yaml.org,2002:float", "tag:yaml.org,2002:seq",
            "tag:yaml.org,2002:map", "!");

    private final String source;
    private final Diagnostics diagnostics;
    private final int maxCodePoints;

    YamlTreeReader(String source, Diagnostics diagnostics) {
        this(source, diagnostics, MAX_CODE_POINTS);
    }

    /** A reader with a smaller size limit, for tests of the limit. */
    YamlTreeReader(String source, Diagnostics diagnostics, int maxCodePoints) {
        this.source = source;
        this.diagnostics = diagnostics;
        this.maxCodePoints = maxCodePoints;
    }

    /** A mapping or list being built: its node's place, and its children so far. */
    private static final class Open {
        final boolean mapping;
        final Location location;
        final List<YamlNode> items = new ArrayList<>();
        final List<YamlNode.Entry> entries = new ArrayList<>();
        final Map<String, Location> seenKeys;
        YamlNode.Scalar pendingKey;
        boolean skipValue;

        Open(boolean mapping, Location location) {
            this.mapping = mapping;
            this.location = location;
            this.seenKeys = mapping ? new HashMap<>() : Map.of();
        }
    }

    /**
     * Reads the document. Returns empty, with errors in the diagnostics, when it is not well-formed YAML, is empty,
     * holds more than one document, or uses something refused above.
     */
    Optional<YamlNode> read(Reader reader) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setCodePointLimit(maxCodePoints)
                .setAllowDuplicateKeys(true) // reported here, with both places
                .setUseMarks(true)
                .setBufferSize(1 << 16)
                .build();
        Deque<Open> stack = new ArrayDeque<>();
        YamlNode root = null;
        int documents = 0;
        boolean refused = false;
        try {
            ParserImpl parser = new ParserImpl(settings, new StreamReader(settings, reader));
            while (parser.hasNext()) {
                Event event = parser.next();
                switch (event.getEventId()) {
                    case DocumentStart -> {
                        documents++;
                        if (documents == 2) {
                            diagnostics.error(at(event), "more than one YAML document in a policy file",
                                    "put the whole policy in one document, without a second '---'");
                            return Optional.empty();
                        }
                    }
                    case Alias -> {
                        diagnostics.error(at(event), "YAML aliases are not allowed in a policy",
                                "name reusable addresses or ports under 'sets' and refer to them as $NAME");
                        return Optional.empty();
                    }
                    case Scalar -> {
                        ScalarEvent s = (ScalarEvent) event;
                        if (!check(s, s.getTag())) {
                            refused = true;
                        }
                        YamlNode.Scalar node = new YamlNode.Scalar(s.getValue(), s.isPlain(), at(event));
                        root = attach(stack, node, root);
                    }
                    case SequenceStart, MappingStart -> {
                        CollectionStartEvent c = (CollectionStartEvent) event;
                        if (!check(c, c.getTag())) {
                            refused = true;
                        }
                        if (stack.size() >= MAX_DEPTH) {
                            diagnostics.error(at(event), "nesting deeper than " + MAX_DEPTH + " levels");
                            return Optional.empty();
                        }
                        stack.push(new Open(event.getEventId() == Event.ID.MappingStart, at(event)));
                    }
                    case SequenceEnd, MappingEnd -> {
                        Open done = stack.pop();
                        YamlNode node = done.mapping
                                ? new YamlNode.Mapping(List.copyOf(done.entries), done.location)
                                : new YamlNode.Sequence(List.copyOf(done.items), done.location);
                        root = attach(stack, node, root);
                    }
                    default -> {
                        // StreamStart/End, DocumentEnd, Comment: nothing to build
                    }
                }
            }
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            Location where = mark == null ? new Location(source, 1, 1) : at(mark);
            diagnostics.error(where, "malformed YAML: " + oneLine(e.getProblem()));
            return Optional.empty();
        } catch (YamlEngineException e) {
            diagnostics.error(new Location(source, 1, 1), "unreadable YAML: " + oneLine(e.getMessage()));
            return Optional.empty();
        }
        if (root == null) {
            diagnostics.error(new Location(source, 1, 1), "the policy file is empty");
            return Optional.empty();
        }
        return refused ? Optional.empty() : Optional.of(root);
    }

    /** Adds a finished node to its parent, or returns it as the root when there is no parent. */
    private YamlNode attach(Deque<Open> stack, YamlNode node, YamlNode root) {
        Open parent = stack.peek();
        if (parent == null) {
            return node;
        }
        if (!parent.mapping) {
            parent.items.add(node);
            return root;
        }
        if (parent.pendingKey == null && !parent.skipValue) {
            if (!(node instanceof YamlNode.Scalar key)) {
                diagnostics.error(node.location(), "a mapping key must be a plain word, not " + node.kind());
                parent.skipValue = true;
                return root;
            }
            Location first = parent.seenKeys.putIfAbsent(key.value(), key.location());
            if (first != null) {
                diagnostics.error(key.location(), "duplicate key '" + key.value() + "' (first at line "
                        + first.line() + ")", "each key may appear once in a mapping; remove one of them");
                parent.skipValue = true;
                return root;
            }
            parent.pendingKey = key;
            return root;
        }
        if (parent.skipValue) {
            parent.skipValue = false;
        } else {
            parent.entries.add(new YamlNode.Entry(parent.pendingKey, node));
            parent.pendingKey = null;
        }
        return root;
    }

    private boolean check(NodeEvent event, Optional<String> tag) {
        if (event.getAnchor().isPresent()) {
            diagnostics.error(at(event), "YAML anchors are not allowed in a policy",
                    "name reusable addresses or ports under 'sets' and refer to them as $NAME");
            return false;
        }
        if (tag.isPresent() && !CORE_TAGS.contains(tag.get())) {
            diagnostics.error(at(event), "YAML tag '" + tag.get() + "' is not allowed in a policy",
                    "remove the tag: a policy holds only plain values, lists and mappings");
            return false;
        }
        return true;
    }

    private Location at(Event event) {
        return event.getStartMark().map(this::at).orElse(new Location(source, 1, 1));
    }

    private Location at(Mark mark) {
        return new Location(source, mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static String oneLine(String text) {
        return text == null ? "unknown problem" : text.replace('\n', ' ').strip();
    }
}
