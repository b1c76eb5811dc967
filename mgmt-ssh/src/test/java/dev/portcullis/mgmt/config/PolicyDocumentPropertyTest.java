package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Random sequences of {@code set} and {@code delete} on real policy files, checked against an independent model:
 * snakeyaml-engine's own loader reads the text into maps and lists, and the edit is done on those by the rules of
 * {@link PolicyPath}. Invariants: after every edit the candidate loads to exactly the model (keys in order), and
 * on these files the layout is always kept (no canonical rewrite) and their comments survive unless deleted with
 * their entry.
 */
class PolicyDocumentPropertyTest {

    private static final List<String> VALUES = List.of("drop", "true", "15m", "[198.51.100.0/24, 192.0.2.1]",
            "{enabled: false}", "'quoted: text # not a comment'", "\"80\"", "80", "-5", "[]", "{}",
            "{source: [10.0.0.1], action: reject}", "null", "\"tab\\there\"", "[\"[2001:db8::10]:443\"]", "ünï");

    enum Kind { SET, DELETE, ADD_KEY, ADD_ENTRY }

    record Op(Kind kind, int pick, int value, int name) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.of(Kind.values()), Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, VALUES.size() - 1), Arbitraries.integers().between(0, 99))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> files() {
        return Arbitraries.of("../configs/examples/prod-east.yaml", "../configs/demo/policy.yaml", "TEST");
    }

    @Property(tries = 200)
    void edits_randomSequences_matchTheIndependentModelAndKeepTheLayout(@ForAll("files") String file,
                                                                     @ForAll("ops") List<Op> ops) throws Exception {
        String text = file.equals("TEST") ? PolicyDocumentTest.POLICY : Files.readString(Path.of(file));
        PolicyDocument doc = new PolicyDocument(text);
        Object model = load(text);
        for (Op op : ops) {
            List<List<String>> paths = new ArrayList<>();
            collect(model, new ArrayList<>(), paths);
            if (paths.isEmpty()) {
                return;
            }
            List<String> path = new ArrayList<>(paths.get(op.pick() % paths.size()));
            String value = VALUES.get(op.value());
            Object target = at(model, path);
            switch (op.kind()) {
                case SET -> {
                    if (inListOfValues(model, path) || namedEntry(model, path) && !(load(value) instanceof Map)) {
                        continue; // refused by design; covered by the example tests
                    }
                    doc = set(doc, path, value);
                    model = apply(model, path, load(value), false);
                }
                case DELETE -> {
                    doc = doc.delete(new PolicyPath(path)).document();
                    model = apply(model, path, null, true);
                }
                case ADD_KEY -> {
                    if (!(target instanceof Map<?, ?> m) || m.containsKey("k" + op.name())) {
                        continue;
                    }
                    path.add("k" + op.name());
                    doc = set(doc, path, value);
                    model = apply(model, path, load(value), false);
                }
                case ADD_ENTRY -> {
                    List<String> rules = List.of("rules");
                    if (!(at(model, rules) instanceof List<?> list) || indexOfName(list, "n" + op.name()) >= 0
                            || !list.isEmpty() && list.stream().noneMatch(x -> x instanceof Map<?, ?>)) {
                        continue; // no list, the name is taken, or an earlier set made it a list of values
                    }
                    path = new ArrayList<>(List.of("rules", "n" + op.name(), "action"));
                    doc = set(doc, path, value);
                    model = apply(model, path, load(value), false);
                }
            }
            assertThat(canonical(load(doc.text()))).as("after %s %s", op.kind(), path).isEqualTo(canonical(model));
            if (ambiguous(model)) {
                // Two entries of one list now share a name (a set made them): a path by that name is ambiguous, and
                // which of them it reaches is not this property's business. Such a candidate is refused anyway
                // when validated ("duplicate rule name"), before a commit; stop this sequence here.
                return;
            }
        }
        for (String line : text.lines().toList()) {
            if (line.strip().startsWith("# Portcullis") || line.strip().startsWith("# Edge policy")) {
                assertThat(doc.text()).contains(line); // the file's first comment is never part of an entry
            }
        }
    }

    private static PolicyDocument set(PolicyDocument doc, List<String> path, String value) throws ConfigException {
        PolicyDocument.Edited e = doc.set(new PolicyPath(path), PolicyDocument.value(value));
        assertThat(e.layoutKept()).as("layout kept for set %s %s", path, value).isTrue();
        return e.document();
    }

    private static Object load(String text) {
        return new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    /** Keys in order matter: compare the maps' string forms (LinkedHashMap keeps order). */
    private static String canonical(Object o) {
        return String.valueOf(o);
    }

    /** Every path to a node of the model, in the syntax of PolicyPath (list entries by name or by value). */
    private static void collect(Object node, List<String> prefix, List<List<String>> out) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                List<String> p = new ArrayList<>(prefix);
                p.add(String.valueOf(e.getKey()));
                out.add(p);
                collect(e.getValue(), p, out);
            }
        } else if (node instanceof List<?> l) {
            for (Object item : l) {
                String label = label(item);
                if (label == null) {
                    continue;
                }
                List<String> p = new ArrayList<>(prefix);
                p.add(label);
                out.add(p);
                collect(item, p, out);
            }
        }
    }

    /** How a path names a list entry: a mapping by its name (a value, not null, a list or a mapping), else itself. */
    private static String label(Object item) {
        if (item instanceof Map<?, ?> m) {
            Object name = m.get("name");
            return name == null || name instanceof Map || name instanceof List ? null : String.valueOf(name);
        }
        return item instanceof List<?> || item == null ? null : String.valueOf(item);
    }

    private static boolean named(List<?> l, List<String> path) {
        if (!l.isEmpty() && l.stream().noneMatch(i -> i instanceof Map || i instanceof List)) {
            return false; // a list of values
        }
        String dotted = String.join(".", path);
        return dotted.equals("rules") || dotted.equals("cluster.nodes")
                || !l.isEmpty() && l.stream().allMatch(i -> i instanceof Map<?, ?> && label(i) != null);
    }

    /** Whether any list of the model has two entries a path would name alike. */
    private static boolean ambiguous(Object node) {
        if (node instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(PolicyDocumentPropertyTest::ambiguous);
        }
        if (node instanceof List<?> l) {
            List<String> labels = l.stream().map(PolicyDocumentPropertyTest::label).filter(Objects::nonNull).toList();
            return labels.size() != labels.stream().distinct().count()
                    || l.stream().anyMatch(PolicyDocumentPropertyTest::ambiguous);
        }
        return false;
    }

    private static int indexOfName(List<?> l, String name) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) instanceof Map<?, ?> && name.equals(label(l.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfValue(List<?> l, String value) {
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof Map || l.get(i) instanceof List) && value.equals(String.valueOf(l.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private static Object at(Object model, List<String> path) {
        Object node = model;
        for (int i = 0; i < path.size(); i++) {
            String s = path.get(i);
            if (node instanceof Map<?, ?> m) {
                node = m.get(s);
            } else if (node instanceof List<?> l) {
                int k = named(l, path.subList(0, i)) ? indexOfName(l, s) : indexOfValue(l, s);
                node = k < 0 ? null : l.get(k);
            } else {
                return null;
            }
        }
        return node;
    }

    private static boolean inListOfValues(Object model, List<String> path) {
        Object parent = at(model, path.subList(0, path.size() - 1));
        return parent instanceof List<?> l && !named(l, path.subList(0, path.size() - 1));
    }

    private static boolean namedEntry(Object model, List<String> path) {
        Object parent = at(model, path.subList(0, path.size() - 1));
        return parent instanceof List<?> l && named(l, path.subList(0, path.size() - 1));
    }

    /** The model with {@code path} set to {@code value} (creating on the way) or deleted. */
    @SuppressWarnings("unchecked")
    private static Object apply(Object node, List<String> path, Object value, boolean delete) {
        return apply(node, path, 0, value, delete);
    }

    @SuppressWarnings("unchecked")
    private static Object apply(Object node, List<String> path, int i, Object value, boolean delete) {
        String s = path.get(i);
        boolean last = i == path.size() - 1;
        if (node instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>((Map<Object, Object>) m);
            if (last) {
                if (delete) {
                    copy.remove(s);
                } else {
                    copy.put(s, value);
                }
            } else {
                Object child = copy.containsKey(s) ? copy.get(s) : fresh(path.subList(0, i + 1));
                copy.put(s, apply(child, path, i + 1, value, delete));
            }
            return copy;
        }
        List<Object> copy = new ArrayList<>((List<Object>) node);
        boolean named = named(copy, path.subList(0, i));
        int k = named ? indexOfName(copy, s) : indexOfValue(copy, s);
        if (last) {
            if (delete) {
                copy.remove(k);
            } else {
                Map<Object, Object> entry = new LinkedHashMap<>();
                entry.put("name", s);
                ((Map<Object, Object>) value).forEach((a, b) -> {
                    if (!Objects.equals(a, "name")) {
                        entry.put(a, b);
                    }
                });
                if (k < 0) {
                    copy.add(entry);
                } else {
                    copy.set(k, entry);
                }
            }
            return copy;
        }
        if (k < 0) {
            Map<Object, Object> entry = new LinkedHashMap<>();
            entry.put("name", s);
            copy.add(apply(entry, path, i + 1, value, delete));
        } else {
            copy.set(k, apply(copy.get(k), path, i + 1, value, delete));
        }
        return copy;
    }

    /** A missing container on the way: a list for the named lists, a mapping otherwise. */
    private static Object fresh(List<String> path) {
        String dotted = String.join(".", path);
        return dotted.equals("rules") || dotted.equals("cluster.nodes") ? new ArrayList<>() : new LinkedHashMap<>();
    }
}
