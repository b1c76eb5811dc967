package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.console.CommandSpec.Word;
import dev.portcullis.policy.ApplianceConfig.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The console's commands as one grammar: parses a line into a command and its arguments, and tells which words
 * may come next (for tab completion and {@code ?} help).
 *
 * <p>Keywords may be abbreviated while the abbreviation names one keyword at that place ({@code sh conn} for
 * {@code show connections}). Parsing sees every command of the mode, so that a command the user's role may not
 * run is recognised, refused and audited; completion and help see only the commands the role may run.
 *
 * <p>Immutable and thread-safe.
 */
public final class Grammar {

    private final List<CommandSpec> specs;

    public Grammar(List<CommandSpec> specs) {
        this.specs = List.copyOf(specs);
    }

    public List<CommandSpec> specs() {
        return specs;
    }

    /** A parsed line: the command, its argument values, and its words written out in full (for the audit log). */
    public record Parsed(CommandSpec spec, List<String> args, List<String> restWords, String canonical) {
    }

    /**
     * Parses {@code words} in {@code mode}.
     *
     * @throws CommandException saying which word is wrong and what was expected there
     */
    public Parsed parse(List<String> words, Mode mode, Role role) throws CommandException {
        if (words.isEmpty()) {
            throw new CommandException("empty command");
        }
        List<CommandSpec> alive = new ArrayList<>(specs.stream().filter(s -> s.modes().contains(mode)).toList());
        List<String> canonical = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            int at = i;
            // A spec whose rest argument began earlier goes on taking words.
            List<CommandSpec> resting = alive.stream().filter(s -> restStart(s) >= 0 && restStart(s) < at).toList();
            Optional<String> keyword = resolveKeyword(alive, i, w);
            List<CommandSpec> next = new ArrayList<>(resting);
            List<String> argErrors = new ArrayList<>();
            for (CommandSpec s : alive) {
                if (resting.contains(s) || i >= s.words().size()) {
                    continue;
                }
                switch (s.words().get(i)) {
                    case Word.Keyword k -> {
                        if (keyword.isPresent() && keyword.get().equals(k.word())) {
                            next.add(s);
                        }
                    }
                    case Word.Argument a -> {
                        Optional<String> bad = a.type().check().apply(w);
                        if (bad.isEmpty()) {
                            next.add(s);
                        } else {
                            argErrors.add(bad.get());
                        }
                    }
                }
            }
            if (next.isEmpty()) {
                String before = canonical.isEmpty() ? "" : " after '" + String.join(" ", canonical) + "'";
                if (!argErrors.isEmpty() && keyword.isEmpty()) {
                    throw new CommandException(argErrors.getFirst());
                }
                List<String> ambiguous = keywordsStarting(alive, i, w);
                if (ambiguous.size() > 1) {
                    throw new CommandException("'" + w + "'" + before + " is ambiguous: "
                            + String.join(", ", ambiguous));
                }
                throw new CommandException("unknown word '" + w + "'" + before + "; expected "
                        + expected(alive, i, role));
            }
            canonical.add(keyword.filter(k -> next.stream().anyMatch(s -> at < s.words().size()
                    && s.words().get(at) instanceof Word.Keyword kw && kw.word().equals(k))).orElse(w));
            alive = next;
        }
        int n = words.size();
        for (CommandSpec s : alive) {
            int rest = restStart(s);
            if (s.words().size() == n || (rest >= 0 && n > rest)) {
                List<String> args = new ArrayList<>();
                List<String> restWords = new ArrayList<>();
                for (int i = 0; i < s.words().size(); i++) {
                    if (s.words().get(i) instanceof Word.Argument) {
                        if (i == rest) {
                            restWords.addAll(words.subList(i, n));
                            args.add(String.join(" ", restWords));
                        } else {
                            args.add(words.get(i));
                        }
                    }
                }
                return new Parsed(s, args, restWords, String.join(" ", canonical));
            }
        }
        throw new CommandException("'" + String.join(" ", canonical) + "' is not complete; expected "
                + expected(alive, n, role));
    }

    /** What may follow: "one of a, b, <service>". */
    private static String expected(List<CommandSpec> alive, int at, Role role) {
        Set<String> words = new LinkedHashSet<>();
        for (CommandSpec s : alive) {
            if (at < s.words().size() && s.privilege().allows(role)) {
                words.add(s.words().get(at).shown());
            }
        }
        if (words.isEmpty()) {
            return "nothing more";
        }
        return words.size() == 1 ? words.iterator().next() : "one of " + String.join(", ", words);
    }

    private static int restStart(CommandSpec s) {
        int last = s.words().size() - 1;
        return last >= 0 && s.words().get(last) instanceof Word.Argument a && a.type().rest() ? last : -1;
    }

    /** The keyword {@code w} names at position {@code i}: itself, or the one keyword it abbreviates. */
    private static Optional<String> resolveKeyword(List<CommandSpec> alive, int i, String w) {
        List<String> starting = keywordsStarting(alive, i, w);
        if (starting.contains(w)) {
            return Optional.of(w);
        }
        return starting.size() == 1 ? Optional.of(starting.getFirst()) : Optional.empty();
    }

    private static List<String> keywordsStarting(List<CommandSpec> alive, int i, String w) {
        Set<String> out = new TreeSet<>();
        for (CommandSpec s : alive) {
            if (i < s.words().size() && s.words().get(i) instanceof Word.Keyword k && k.word().startsWith(w)) {
                out.add(k.word());
            }
        }
        return List.copyOf(out);
    }

    /** One word that may come next, with its help; {@code value} is a placeholder when it is not a literal. */
    public record Next(String value, String help, boolean literal) {
    }

    /** What {@code ?} shows at the end of a command that can run as it is. */
    public static final String ENTER = "<enter>";

    /**
     * The words that may follow {@code done} (completed words), visible to {@code role} in {@code mode}, for
     * help; with {@link #ENTER} first when {@code done} is already a whole command. Argument completions come
     * from the session (service names, revisions, files).
     */
    public List<Next> next(List<String> done, Mode mode, Role role, ConsoleSession session) {
        List<CommandSpec> alive = new ArrayList<>(specs.stream()
                .filter(s -> s.modes().contains(mode) && s.privilege().allows(role)).toList());
        for (int i = 0; i < done.size() && !alive.isEmpty(); i++) {
            String w = done.get(i);
            int at = i;
            Optional<String> keyword = resolveKeyword(alive, i, w);
            alive = alive.stream().filter(s -> {
                int rest = restStart(s);
                if (rest >= 0 && rest < at) {
                    return true;
                }
                if (at >= s.words().size()) {
                    return false;
                }
                return switch (s.words().get(at)) {
                    case Word.Keyword k -> keyword.isPresent() && keyword.get().equals(k.word());
                    case Word.Argument a -> a.type().check().apply(w).isEmpty();
                };
            }).toList();
        }
        Map<String, Next> out = new LinkedHashMap<>();
        int n = done.size();
        for (CommandSpec s : alive) {
            int rest = restStart(s);
            if (s.words().size() == n || (rest >= 0 && n > rest)) {
                out.putIfAbsent(ENTER, new Next(ENTER, "run '" + s.syntax() + "': " + s.help(), false));
            }
        }
        for (CommandSpec s : alive) {
            int rest = restStart(s);
            Word w = n < s.words().size() ? s.words().get(n) : rest >= 0 && n > rest ? s.words().get(rest) : null;
            if (w == null) {
                continue;
            }
            switch (w) {
                case Word.Keyword k -> out.putIfAbsent(k.word(), new Next(k.word(),
                        n == s.words().size() - 1 ? s.help() : k.help(), true));
                case Word.Argument a -> {
                    List<String> values = a.type().rest()
                            ? restCompletions(a.type(), session, done.subList(s.words().size() - 1, n))
                            : a.type().completions().apply(session);
                    out.putIfAbsent(a.shown(), new Next(a.shown(), a.help(), false));
                    for (String v : values) {
                        out.putIfAbsent(v, new Next(v, a.help(), true));
                    }
                }
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * Completions inside a rest argument: the session is told the words typed so far in it through
     * {@link ConsoleSession#restContext()}, so configuration paths complete level by level.
     */
    private static List<String> restCompletions(ArgType type, ConsoleSession session, List<String> restSoFar) {
        return session.withRestContext(restSoFar, () -> type.completions().apply(session));
    }
}
