package dev.portcullis.mgmt.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A candidate policy as YAML text, and the {@code set} and {@code delete} edits on its tree.
 *
 * <h2>How an edit keeps the layout</h2>
 * An edit is done twice. On the tree: the parsed document with the change applied is what the candidate must hold
 * afterwards. On the text: the smallest change of characters that should produce it (replace a value after its
 * {@code key:}, add a line after a mapping's or a list's last line at the same indentation, add {@code , item}
 * inside flow brackets, remove an entry's lines together with the comment lines right above it). The new text is
 * parsed again and kept only when it holds exactly the edited tree; comments and layout elsewhere are then
 * untouched. When it does not (an unusual layout the text edit does not know), the whole document is written
 * anew from the edited tree in a canonical block layout, which drops comments; {@link Edited#layoutKept} says
 * which happened. Either way the candidate holds exactly the edited tree, and values a set adds are written in
 * flow style.
 *
 * <p>Immutable; an edit returns a new document.
 */
final class PolicyDocument {

    /** The name the candidate goes by in messages and diagnostics. */
    static final String SOURCE = "candidate";

    /** Lists whose entries are mappings told apart by their {@code name}: a path names an entry by it. */
    static final Set<String> NAMED_LISTS = Set.of("rules", "cluster.nodes");

    private final String text;

    PolicyDocument(String text) {
        this.text = text;
    }

    String text() {
        return text;
    }

    /** The outcome of an edit: the new document, what was done in words, and whether the layout was kept. */
    record Edited(PolicyDocument document, String description, boolean layoutKept) {
    }

    /** One step of a walk: a child of a container, by entry or item index. */
    private record Step(YamlNode container, int index) {
        YamlNode child() {
            return switch (container) {
                case YamlNode.Mapping m -> m.entries().get(index).value();
                case YamlNode.Sequence s -> s.items().get(index);
                case YamlNode.Scalar s -> throw new IllegalStateException("a scalar has no children");
            };
        }
    }

    /**
     * How far a path leads in the tree: the steps taken, the node reached, and how many segments were used; fewer
     * than the path's when a segment names nothing there (yet).
     */
    private record Walk(List<Step> steps, YamlNode reached, int consumed) {
    }

    /**
     * Sets the value at {@code path}, making the mappings and named list entries on the way that do not exist.
     *
     * @throws ConfigException BAD_PATH when the path goes through a single value or names an entry of a list that
     *                         has no names; BAD_VALUE when a named entry is given something other than a mapping;
     *                         UNEDITABLE when the candidate is not an editable YAML mapping
     */
    Edited set(PolicyPath path, YamlNode value) throws ConfigException {
        YamlNode root = root();
        Walk walk = walk(root, path, true);
        if (walk.consumed() == path.size()) {
            Step last = walk.steps().getLast();
            YamlNode replacement = value;
            if (last.container() instanceof YamlNode.Sequence && isNamedList(path.prefix(path.size() - 1),
                    (YamlNode.Sequence) last.container())) {
                replacement = namedEntry(path, path.segment(path.size() - 1), value);
            }
            YamlNode finalReplacement = replacement;
            YamlNode expected = rebuild(root, walk.steps(), walk.steps().size() - 1,
                    c -> withChild(c, last.index(), finalReplacement));
            Optional<TextEdit> edit = replaceChild(last.container(), last.index(), replacement);
            return finish(expected, edit, "set " + path + " to " + shorten(YamlWriter.flow(replacement)));
        }
        YamlNode reached = walk.reached();
        int at = walk.consumed();
        PolicyPath prefix = path.prefix(at);
        String segment = path.segment(at);
        List<String> rest = path.segments().subList(at + 1, path.size());
        switch (reached) {
            case YamlNode.Mapping m -> {
                YamlNode.Entry entry = new YamlNode.Entry(YamlNode.Scalar.of(segment),
                        build(path.prefix(at + 1), rest, value));
                YamlNode expected = rebuild(root, walk.steps(), walk.steps().size(), c -> withAdded(c, entry));
                return finish(expected, insertEntry(m, entry), "set " + path + " to "
                        + shorten(YamlWriter.flow(value)) + " (new " + path.prefix(at + 1) + ")");
            }
            case YamlNode.Sequence s -> {
                // walk() only stops at a list that is named; others throw there
                YamlNode item = buildEntry(path, segment, rest, value);
                YamlNode expected = rebuild(root, walk.steps(), walk.steps().size(), c -> withAdded(c, item));
                return finish(expected, insertItem(s, item), "added " + path.prefix(at + 1) + " at the end of "
                        + prefix + (prefix.dotted().equals("rules") ? " (rules are ordered: it is the last rule)"
                        : ""));
            }
            case YamlNode.Scalar s -> throw new ConfigException(ConfigException.Kind.BAD_PATH, path + ": " + prefix
                    + " is a single value ('" + s.value() + "'), so it has no '" + segment + "'");
        }
    }

    /**
     * Deletes what {@code path} names: a key with its value, a named list entry, or one value of a list of values.
     *
     * @throws ConfigException BAD_PATH when nothing is there; UNEDITABLE when the candidate is not editable
     */
    Edited delete(PolicyPath path) throws ConfigException {
        YamlNode root = root();
        Walk walk = walk(root, path, false);
        if (walk.consumed() < path.size()) {
            throw missing(path, walk);
        }
        Step last = walk.steps().getLast();
        YamlNode expected = rebuild(root, walk.steps(), walk.steps().size() - 1, c -> without(c, last.index()));
        Optional<TextEdit> edit;
        if (childCount(last.container()) == 1) {
            YamlNode empty = last.container() instanceof YamlNode.Mapping ? YamlNode.Mapping.of(List.of())
                    : YamlNode.Sequence.of(List.of());
            edit = walk.steps().size() < 2 ? Optional.empty()
                    : replaceChild(walk.steps().get(walk.steps().size() - 2).container(),
                            walk.steps().get(walk.steps().size() - 2).index(), empty);
        } else {
            edit = deleteChild(last.container(), last.index());
        }
        return finish(expected, edit, "deleted " + path);
    }

    /**
     * Reads the value of a {@code set}: one YAML scalar ({@code drop}, {@code "a: b"}) or flow collection
     * ({@code [80, 443]}, {@code {enabled: false}}).
     *
     * @throws ConfigException BAD_VALUE when it is empty, not YAML, or a block collection (which a one-line command
     *                         makes only by accident, as from unquoted {@code key: value} text)
     */
    static YamlNode value(String text) throws ConfigException {
        YamlNode v = YamlParser.parse(text, "value", ConfigException.Kind.BAD_VALUE).orElseThrow(() ->
                new ConfigException(ConfigException.Kind.BAD_VALUE, "a value is needed, like drop, [80, 443] or "
                        + "{enabled: false}"));
        boolean block = (v instanceof YamlNode.Mapping m && !m.flow()) || (v instanceof YamlNode.Sequence q && !q.flow());
        if (block) {
            throw new ConfigException(ConfigException.Kind.BAD_VALUE, "value '" + text.strip() + "' reads as a YAML "
                    + "block " + (v instanceof YamlNode.Mapping ? "mapping" : "list") + "; write lists as [a, b] and "
                    + "mappings as {key: value}, and quote text that contains ': ' or starts with '- '");
        }
        return v;
    }

    // ---- the tree side ----

    private YamlNode root() throws ConfigException {
        YamlNode root = YamlParser.parse(text, SOURCE, ConfigException.Kind.UNEDITABLE).orElseThrow(() ->
                new ConfigException(ConfigException.Kind.UNEDITABLE, "the candidate is empty; load a policy"));
        if (!(root instanceof YamlNode.Mapping)) {
            throw new ConfigException(ConfigException.Kind.UNEDITABLE, "the candidate's top level is not a mapping "
                    + "of keys (version, cluster, ...); load a policy or discard");
        }
        return root;
    }

    /**
     * Follows {@code path} as far as it leads. A segment that names nothing stops the walk there, except where
     * that can never be made by a set (a list of values, an entry of a list without names): then it throws.
     */
    private static Walk walk(YamlNode root, PolicyPath path, boolean forSet) throws ConfigException {
        List<Step> steps = new ArrayList<>();
        YamlNode node = root;
        for (int i = 0; i < path.size(); i++) {
            String segment = path.segment(i);
            PolicyPath prefix = path.prefix(i);
            int index;
            switch (node) {
                case YamlNode.Mapping m -> index = m.indexOf(segment);
                case YamlNode.Sequence s -> {
                    if (isNamedList(prefix, s)) {
                        index = indexOfName(s, segment);
                    } else if (s.items().stream().allMatch(x -> x instanceof YamlNode.Scalar)) {
                        index = indexOfValue(s, segment);
                        if (forSet) {
                            throw new ConfigException(ConfigException.Kind.BAD_PATH, path + ": " + prefix
                                    + " is a list of values; set the whole list, like: set " + prefix + " [a, b]");
                        }
                    } else {
                        throw new ConfigException(ConfigException.Kind.BAD_PATH, path + ": the entries of " + prefix
                                + " have no names; set the whole list");
                    }
                }
                case YamlNode.Scalar s -> {
                    if (forSet) {
                        return new Walk(steps, node, i); // set reports it with the context it has
                    }
                    throw new ConfigException(ConfigException.Kind.BAD_PATH, path + ": " + prefix
                            + " is a single value ('" + s.value() + "'), so it has no '" + segment + "'");
                }
            }
            if (index < 0) {
                return new Walk(steps, node, i);
            }
            Step step = new Step(node, index);
            steps.add(step);
            node = step.child();
        }
        return new Walk(steps, node, path.size());
    }

    private static ConfigException missing(PolicyPath path, Walk walk) {
        PolicyPath prefix = path.prefix(walk.consumed());
        String segment = path.segment(walk.consumed());
        List<String> present = switch (walk.reached()) {
            case YamlNode.Mapping m -> m.entries().stream().map(e -> e.key().value()).toList();
            case YamlNode.Sequence s -> s.items().stream().map(PolicyDocument::label).toList();
            case YamlNode.Scalar s -> List.of();
        };
        String where = walk.consumed() == 0 ? "the policy" : prefix.toString();
        String there = present.isEmpty() ? where + " is empty"
                : where + " has " + String.join(", ", present.subList(0, Math.min(12, present.size())))
                + (present.size() > 12 ? ", ..." : "");
        return new ConfigException(ConfigException.Kind.BAD_PATH, "nothing at " + path + ": no '" + segment + "' ("
                + there + ")");
    }

    private static String label(YamlNode item) {
        if (item instanceof YamlNode.Scalar s) {
            return s.value();
        }
        if (item instanceof YamlNode.Mapping m && m.indexOf("name") >= 0
                && m.entries().get(m.indexOf("name")).value() instanceof YamlNode.Scalar n && !n.isNull()) {
            return n.value();
        }
        return "?"; // no name a path could use
    }

    /**
     * Whether a path names the entries of {@code s} by their names: a list of values never; {@code rules} and
     * {@code cluster.nodes} always otherwise (even empty, so that a set can add to them); any other list when all
     * its entries are mappings with a name.
     */
    private static boolean isNamedList(PolicyPath prefix, YamlNode.Sequence s) {
        if (!s.items().isEmpty() && s.items().stream().allMatch(i -> i instanceof YamlNode.Scalar)) {
            return false;
        }
        if (NAMED_LISTS.contains(prefix.dotted())) {
            return true;
        }
        return !s.items().isEmpty() && s.items().stream().allMatch(i -> !label(i).equals("?")
                && i instanceof YamlNode.Mapping);
    }

    private static int indexOfName(YamlNode.Sequence s, String name) {
        for (int i = 0; i < s.items().size(); i++) {
            if (s.items().get(i) instanceof YamlNode.Mapping && label(s.items().get(i)).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfValue(YamlNode.Sequence s, String value) {
        for (int i = 0; i < s.items().size(); i++) {
            if (s.items().get(i) instanceof YamlNode.Scalar v && v.value().equals(value)) {
                return i;
            }
        }
        return -1;
    }

    /** The value for the missing part {@code rest} of a path below {@code prefix}. */
    private static YamlNode build(PolicyPath prefix, List<String> rest, YamlNode value) throws ConfigException {
        if (rest.isEmpty()) {
            return value;
        }
        if (NAMED_LISTS.contains(prefix.dotted())) {
            PolicyPath whole = new PolicyPath(concat(prefix.segments(), rest));
            return YamlNode.Sequence.of(List.of(buildEntry(whole, rest.getFirst(), rest.subList(1, rest.size()),
                    value)));
        }
        PolicyPath next = new PolicyPath(concat(prefix.segments(), List.of(rest.getFirst())));
        return YamlNode.Mapping.of(List.of(new YamlNode.Entry(YamlNode.Scalar.of(rest.getFirst()),
                build(next, rest.subList(1, rest.size()), value))));
    }

    /** A new entry of a named list, called {@code name}, with {@code rest} set to {@code value} inside it. */
    private static YamlNode buildEntry(PolicyPath path, String name, List<String> rest, YamlNode value)
            throws ConfigException {
        if (rest.isEmpty()) {
            return namedEntry(path, name, value);
        }
        if (rest.getFirst().equals("name")) {
            throw new ConfigException(ConfigException.Kind.BAD_PATH, path + ": there is no '" + name
                    + "' to rename");
        }
        List<YamlNode.Entry> entries = new ArrayList<>();
        entries.add(new YamlNode.Entry(YamlNode.Scalar.of("name"), YamlNode.Scalar.of(name)));
        // "_" keeps the nested path from ever reading as a named list
        entries.add(new YamlNode.Entry(YamlNode.Scalar.of(rest.getFirst()),
                build(new PolicyPath(List.of("_", rest.getFirst())), rest.subList(1, rest.size()), value)));
        return YamlNode.Mapping.of(entries);
    }

    /** {@code value} as the whole entry {@code name} of a named list: a mapping, with its name first. */
    private static YamlNode namedEntry(PolicyPath path, String name, YamlNode value) throws ConfigException {
        if (!(value instanceof YamlNode.Mapping m)) {
            throw new ConfigException(ConfigException.Kind.BAD_VALUE, path + " is an entry of a list of named "
                    + "entries: set it to a mapping, like {action: drop}, or set one of its keys");
        }
        int at = m.indexOf("name");
        if (at >= 0) {
            if (!(m.entries().get(at).value() instanceof YamlNode.Scalar n) || !n.value().equals(name)) {
                throw new ConfigException(ConfigException.Kind.BAD_VALUE, path + ": the value's name is not '"
                        + name + "'; leave 'name' out, or rename with: set " + path + ".name NEW");
            }
            return m;
        }
        List<YamlNode.Entry> entries = new ArrayList<>();
        entries.add(new YamlNode.Entry(YamlNode.Scalar.of("name"), YamlNode.Scalar.of(name)));
        entries.addAll(m.entries());
        return YamlNode.Mapping.of(entries);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** The tree with {@code op} applied to the node {@code depth} steps down the walk. */
    private static YamlNode rebuild(YamlNode node, List<Step> steps, int depth, UnaryOperator<YamlNode> op) {
        if (depth == 0) {
            return op.apply(node);
        }
        return rebuildFrom(node, steps, 0, depth, op);
    }

    private static YamlNode rebuildFrom(YamlNode node, List<Step> steps, int i, int depth, UnaryOperator<YamlNode> op) {
        if (i == depth) {
            return op.apply(node);
        }
        Step step = steps.get(i);
        YamlNode child = rebuildFrom(step.child(), steps, i + 1, depth, op);
        return withChild(node, step.index(), child);
    }

    private static YamlNode withChild(YamlNode container, int index, YamlNode child) {
        return switch (container) {
            case YamlNode.Mapping m -> {
                List<YamlNode.Entry> entries = new ArrayList<>(m.entries());
                entries.set(index, new YamlNode.Entry(m.entries().get(index).key(), child));
                yield new YamlNode.Mapping(entries, m.flow(), m.start(), m.end());
            }
            case YamlNode.Sequence s -> {
                List<YamlNode> items = new ArrayList<>(s.items());
                items.set(index, child);
                yield new YamlNode.Sequence(items, s.flow(), s.start(), s.end());
            }
            case YamlNode.Scalar s -> throw new IllegalStateException("a scalar has no children");
        };
    }

    private static YamlNode withAdded(YamlNode container, Object added) {
        return switch (container) {
            case YamlNode.Mapping m -> {
                List<YamlNode.Entry> entries = new ArrayList<>(m.entries());
                entries.add((YamlNode.Entry) added);
                yield new YamlNode.Mapping(entries, m.flow(), m.start(), m.end());
            }
            case YamlNode.Sequence s -> {
                List<YamlNode> items = new ArrayList<>(s.items());
                items.add((YamlNode) added);
                yield new YamlNode.Sequence(items, s.flow(), s.start(), s.end());
            }
            case YamlNode.Scalar s -> throw new IllegalStateException("a scalar has no children");
        };
    }

    private static YamlNode without(YamlNode container, int index) {
        return switch (container) {
            case YamlNode.Mapping m -> {
                List<YamlNode.Entry> entries = new ArrayList<>(m.entries());
                entries.remove(index);
                yield new YamlNode.Mapping(entries, m.flow(), m.start(), m.end());
            }
            case YamlNode.Sequence s -> {
                List<YamlNode> items = new ArrayList<>(s.items());
                items.remove(index);
                yield new YamlNode.Sequence(items, s.flow(), s.start(), s.end());
            }
            case YamlNode.Scalar s -> throw new IllegalStateException("a scalar has no children");
        };
    }

    private static int childCount(YamlNode container) {
        return switch (container) {
            case YamlNode.Mapping m -> m.entries().size();
            case YamlNode.Sequence s -> s.items().size();
            case YamlNode.Scalar s -> 0;
        };
    }

    /** Keeps the text edit when it yields exactly {@code expected}; otherwise writes {@code expected} anew. */
    private Edited finish(YamlNode expected, Optional<TextEdit> edit, String description) throws ConfigException {
        if (edit.isPresent()) {
            String edited = edit.get().applyTo(text);
            Optional<YamlNode> reread;
            try {
                reread = YamlParser.parse(edited, SOURCE, ConfigException.Kind.UNEDITABLE);
            } catch (ConfigException e) {
                reread = Optional.empty();
            }
            if (reread.isPresent() && YamlNode.sameContent(reread.get(), expected)) {
                return new Edited(new PolicyDocument(edited), description, true);
            }
        }
        String written = YamlWriter.document(expected);
        Optional<YamlNode> check = YamlParser.parse(written, SOURCE, ConfigException.Kind.UNEDITABLE);
        if (check.isEmpty() || !YamlNode.sameContent(check.get(), expected)) {
            throw new IllegalStateException("finish: the canonical writer did not reproduce the edited tree");
        }
        return new Edited(new PolicyDocument(written), description, false);
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ---- the text side: each returns empty when the layout is not one it knows ----

    /** Replace {@code [start, end)} of a text with {@code replacement}. */
    record TextEdit(int start, int end, String replacement) {
        String applyTo(String text) {
            return text.substring(0, start) + replacement + text.substring(end);
        }
    }

    private Optional<TextEdit> replaceChild(YamlNode container, int index, YamlNode value) {
        String flow = YamlWriter.flow(value);
        switch (container) {
            case YamlNode.Mapping m -> {
                YamlNode.Entry e = m.entries().get(index);
                int colon = colonAfter(e.key().end());
                if (colon < 0) {
                    return Optional.empty();
                }
                int end = Math.max(colon + 1, e.value().end());
                return Optional.of(new TextEdit(colon + 1, end, " " + flow + keepNewline(end)));
            }
            case YamlNode.Sequence s -> {
                YamlNode old = s.items().get(index);
                return Optional.of(new TextEdit(old.start(), old.end(), flow + keepNewline(old.end())));
            }
            case YamlNode.Scalar s -> {
                return Optional.empty();
            }
        }
    }

    /** A block scalar's span ends after its last line break; a replacement must keep one. */
    private String keepNewline(int end) {
        return end > 0 && text.charAt(end - 1) == '\n' ? "\n" : "";
    }

    private Optional<TextEdit> insertEntry(YamlNode.Mapping m, YamlNode.Entry entry) {
        String line = YamlWriter.scalar(entry.key()) + ": " + YamlWriter.flow(entry.value());
        if (m.flow()) {
            return insertFlow(m.start(), m.end(), m.entries().isEmpty() ? -1 : m.entries().getLast().value().end(),
                    line, '{', '}');
        }
        int indent = column(m.entries().getFirst().key().start());
        return insertLine(m.end(), " ".repeat(indent) + line);
    }

    private Optional<TextEdit> insertItem(YamlNode.Sequence s, YamlNode item) {
        String flow = YamlWriter.flow(item);
        if (s.flow()) {
            return insertFlow(s.start(), s.end(), s.items().isEmpty() ? -1 : s.items().getLast().end(), flow, '[', ']');
        }
        int dash = s.start();
        if (text.charAt(dash) != '-') {
            return Optional.empty();
        }
        return insertLine(s.end(), " ".repeat(column(dash)) + "- " + flow);
    }

    /** Adds {@code item} to a flow collection: after its last item, or inside its empty brackets. */
    private Optional<TextEdit> insertFlow(int start, int end, int lastItemEnd, String item, char open, char close) {
        if (text.charAt(start) != open || text.charAt(end - 1) != close) {
            return Optional.empty();
        }
        if (lastItemEnd < 0) {
            return Optional.of(new TextEdit(start + 1, start + 1, item));
        }
        return Optional.of(new TextEdit(lastItemEnd, lastItemEnd, ", " + item));
    }

    /** Adds a line after the line on which a block collection ends. */
    private Optional<TextEdit> insertLine(int blockEnd, String line) {
        int at = lineEndAfter(blockEnd);
        if (at < 0) {
            return Optional.empty();
        }
        boolean needBreak = at == text.length() && !text.isEmpty() && text.charAt(at - 1) != '\n';
        return Optional.of(new TextEdit(at, at, (needBreak ? "\n" : "") + line + "\n"));
    }

    private Optional<TextEdit> deleteChild(YamlNode container, int index) {
        return switch (container) {
            case YamlNode.Mapping m -> {
                List<YamlNode.Entry> es = m.entries();
                int[] starts = es.stream().mapToInt(e -> e.key().start()).toArray();
                int[] ends = es.stream().mapToInt(e -> e.value().end()).toArray();
                yield m.flow() ? deleteFlow(starts, ends, index) : deleteBlock(starts, ends, index);
            }
            case YamlNode.Sequence s -> {
                List<YamlNode> items = s.items();
                int[] ends = items.stream().mapToInt(YamlNode::end).toArray();
                if (s.flow()) {
                    yield deleteFlow(items.stream().mapToInt(YamlNode::start).toArray(), ends, index);
                }
                int[] dashes = new int[items.size()];
                for (int i = 0; i < dashes.length; i++) {
                    dashes[i] = dashBefore(items.get(i).start(), i == 0 ? s.start() : -1);
                    if (dashes[i] < 0 || !firstOnLine(dashes[i])) {
                        yield Optional.empty();
                    }
                }
                yield deleteBlock(dashes, ends, index);
            }
            case YamlNode.Scalar s -> Optional.empty();
        };
    }

    /** Removes entry {@code i} of a flow collection with the comma that separates it from a neighbour. */
    private static Optional<TextEdit> deleteFlow(int[] starts, int[] ends, int i) {
        if (i < starts.length - 1) {
            return Optional.of(new TextEdit(starts[i], starts[i + 1], ""));
        }
        return Optional.of(new TextEdit(ends[i - 1], ends[i], ""));
    }

    /**
     * Removes entry {@code i} of a block collection, whose entries start at {@code starts} (a key, or an item's
     * dash) and end at {@code ends}: its lines, and the comment lines right above it unless it is the first.
     */
    private Optional<TextEdit> deleteBlock(int[] starts, int[] ends, int i) {
        int start = starts[i];
        if (!firstOnLine(start)) {
            // the first key of a mapping that is a list item, on the dash's line: the next key takes its place
            if (i + 1 >= starts.length) {
                return Optional.empty();
            }
            return Optional.of(new TextEdit(start, starts[i + 1], ""));
        }
        int from = i == 0 ? lineStart(start) : commentsAbove(lineStart(start));
        int lineEnd = lineEndAfter(ends[i]);
        if (lineEnd < 0) {
            return Optional.empty();
        }
        int to = i + 1 < starts.length ? Math.max(lineEnd, commentsAbove(lineStart(starts[i + 1]))) : lineEnd;
        return Optional.of(new TextEdit(from, to, ""));
    }

    /** The index of the {@code ':'} that follows a key ending at {@code keyEnd} (spaces allowed), or -1. */
    private int colonAfter(int keyEnd) {
        int i = keyEnd;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i < text.length() && text.charAt(i) == ':' ? i : -1;
    }

    /** The dash that introduces a block list item starting at {@code itemStart}, or -1. */
    private int dashBefore(int itemStart, int known) {
        if (known >= 0 && text.charAt(known) == '-') {
            return known;
        }
        int i = itemStart - 1;
        while (i >= 0 && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i--;
        }
        return i >= 0 && text.charAt(i) == '-' ? i : -1;
    }

    private int lineStart(int index) {
        int nl = text.lastIndexOf('\n', index - 1);
        return nl + 1;
    }

    private int column(int index) {
        return index - lineStart(index);
    }

    private boolean firstOnLine(int index) {
        return text.substring(lineStart(index), index).isBlank();
    }

    /**
     * The start of the line after the one on which something ends at {@code end}, when the rest of that line is
     * blank or a comment; -1 when more content follows on it. An {@code end} at a line's start is returned as is.
     */
    private int lineEndAfter(int end) {
        if (end == 0 || text.charAt(end - 1) == '\n') {
            return end;
        }
        int nl = text.indexOf('\n', end);
        String rest = text.substring(end, nl < 0 ? text.length() : nl).strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            return -1;
        }
        return nl < 0 ? text.length() : nl + 1;
    }

    /** The start of the run of comment-only lines right above the line starting at {@code lineStart}. */
    private int commentsAbove(int lineStart) {
        int at = lineStart;
        while (at > 0) {
            int prev = lineStart(at - 1);
            if (!text.substring(prev, at - 1).strip().startsWith("#")) {
                break;
            }
            at = prev;
        }
        return at;
    }
}
