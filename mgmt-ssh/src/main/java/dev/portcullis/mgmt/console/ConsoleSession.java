package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.audit.AuditEvent;
import dev.portcullis.policy.ApplianceConfig.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One user's console: runs command lines with that user's role, in operational or configuration mode, and audits
 * each one.
 *
 * <p>A line is {@code COMMAND [| json]}. A line ending in {@code ?} asks for help on what may follow instead of
 * running (so help works in one-shot commands too: {@code ssh edge 'show ?'}).
 *
 * <p>Threading: confined to the session's own thread.
 */
public final class ConsoleSession {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSession.class);

    /** Exit status of a command that ran. */
    public static final int OK = 0;
    /** Exit status of a command that was malformed or failed. */
    public static final int FAILED = 1;
    /** Exit status of a command the user's role may not run. */
    public static final int REFUSED = 2;

    private final Console console;
    private final String user;
    private final Role role;
    private final String source;
    private Mode mode = Mode.OPERATIONAL;
    private ConfigBackend.Session config;
    private boolean ended;
    /** The words typed so far inside a rest argument, while its completions are asked for. */
    private List<String> restContext = List.of();

    ConsoleSession(Console console, String user, Role role, String source) {
        this.console = console;
        this.user = user;
        this.role = role;
        this.source = source;
    }

    /**
     * What a line produced: text for standard output and for standard error, and the exit status. After
     * {@code exit} in operational mode, {@link #ended()} turns true.
     */
    public record Result(String out, String err, int status) {
        static Result ok(String out) {
            return new Result(out, "", OK);
        }

        static Result failed(String err) {
            return new Result("", err.endsWith("\n") ? err : err + "\n", FAILED);
        }
    }

    /** Runs one line; never throws for bad input. */
    public Result execute(String line) {
        List<LineWords.Word> words;
        try {
            words = LineWords.split(line);
        } catch (CommandException e) {
            audit(line.strip(), "error: " + e.getMessage());
            return Result.failed("error: " + e.getMessage());
        }
        if (words.isEmpty()) {
            return Result.ok("");
        }
        LineWords.Word last = words.getLast();
        if (!last.quoted() && last.text().endsWith("?")) {
            List<String> done = new ArrayList<>(words.stream().map(LineWords.Word::text).toList());
            String partial = done.removeLast();
            return Result.ok(help(done, partial.substring(0, partial.length() - 1)));
        }
        boolean json = false;
        int pipe = -1;
        for (int i = 0; i < words.size(); i++) {
            if (!words.get(i).quoted() && words.get(i).text().equals("|")) {
                pipe = i;
                break;
            }
        }
        List<String> command = words.stream().map(LineWords.Word::text).toList();
        if (pipe >= 0) {
            List<String> filter = command.subList(pipe + 1, command.size());
            if (filter.size() != 1 || !"json".startsWith(filter.getFirst()) || filter.getFirst().isEmpty()) {
                String msg = "unknown output filter '" + String.join(" ", filter) + "'; the filter is '| json'";
                audit(line.strip(), "error: " + msg);
                return Result.failed("error: " + msg);
            }
            json = true;
            command = command.subList(0, pipe);
        }
        Grammar.Parsed parsed;
        try {
            parsed = console.grammar().parse(command, mode, role);
        } catch (CommandException e) {
            audit(String.join(" ", command), "error: " + e.getMessage());
            return Result.failed("error: " + e.getMessage());
        }
        String canonical = parsed.canonical() + (json ? " | json" : "");
        if (!parsed.spec().privilege().allows(role)) {
            String why = "'" + parsed.canonical() + "' needs the " + parsed.spec().privilege().rolesText()
                    + " role; " + user + " is " + role.word();
            LOG.warn("execute: refused {} from {}: {}", user, source, why);
            audit(canonical, "refused: " + why);
            return new Result("", "refused: " + why + "\n", REFUSED);
        }
        Output output;
        try {
            output = parsed.spec().handler().run(
                    new CommandSpec.Invocation(this, parsed.args(), parsed.restWords()));
        } catch (CommandException e) {
            audit(canonical, "error: " + e.getMessage());
            return Result.failed("error: " + e.getMessage());
        } catch (ConfigException e) {
            audit(canonical, "error: " + e.getMessage());
            StringBuilder err = new StringBuilder("error: ").append(e.getMessage()).append('\n');
            e.details().forEach(d -> err.append("  ").append(d).append('\n'));
            return Result.failed(err.toString());
        } catch (RuntimeException e) {
            LOG.error("execute: '{}' by {} failed", canonical, user, e);
            audit(canonical, "error: internal: " + e);
            return Result.failed("error: the command failed inside the appliance: " + e.getMessage());
        }
        audit(canonical, "ok");
        return Result.ok(json ? output.jsonText() : output.text());
    }

    /**
     * The {@code ?} help for a line whose completed words are {@code done} and whose last word, being typed, is
     * {@code partial}: each word that may come next and what it does.
     */
    public String help(List<String> done, String partial) {
        List<Grammar.Next> next = console.grammar().next(done, mode, role, this).stream()
                .filter(n -> partial.isEmpty() || n.value().startsWith(partial)).toList();
        if (next.isEmpty()) {
            return "nothing matches '" + String.join(" ", done) + (partial.isEmpty() ? "" : " " + partial)
                    + "'\n";
        }
        int width = next.stream().mapToInt(n -> n.value().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder("Possible completions:\n");
        for (Grammar.Next n : next) {
            sb.append("  ").append(n.value()).append(" ".repeat(width - n.value().length() + 2)).append(n.help())
                    .append('\n');
        }
        return sb.toString();
    }

    /** The literal words that complete {@code partial} after {@code done}, for tab completion. */
    public List<String> complete(List<String> done, String partial) {
        return console.grammar().next(done, mode, role, this).stream()
                .filter(n -> n.literal() && n.value().startsWith(partial))
                .map(Grammar.Next::value).distinct().toList();
    }

    /** The prompt: {@code user@node> } in operational mode, {@code user@node# } in configuration mode. */
    public String prompt() {
        return (mode == Mode.CONFIGURE ? "[edit]\n" : "") + user + "@" + console.view().node() + mode.promptSign()
                + " ";
    }

    private void audit(String command, String result) {
        console.audit().write(new AuditEvent(Instant.now(), user, source, "command", command, result));
    }

    /** Leaves configuration mode if in it (the candidate is dropped); for the end of the SSH session. */
    public void close() {
        if (config != null) {
            config.close();
            config = null;
            mode = Mode.OPERATIONAL;
        }
        ended = true;
    }

    public boolean ended() {
        return ended;
    }

    void end() {
        close();
    }

    public Mode mode() {
        return mode;
    }

    public String user() {
        return user;
    }

    public Role role() {
        return role;
    }

    public String source() {
        return source;
    }

    public Console console() {
        return console;
    }

    void enterConfigure(ConfigBackend.Session session) {
        this.config = session;
        this.mode = Mode.CONFIGURE;
    }

    void leaveConfigure() {
        if (config != null) {
            config.close();
        }
        config = null;
        mode = Mode.OPERATIONAL;
    }

    /** The configuration session; only in configuration mode. */
    ConfigBackend.Session config() throws CommandException {
        if (config == null) {
            throw new CommandException("not in configuration mode; type 'configure' first");
        }
        return config;
    }

    Optional<ConfigBackend.Session> configIfAny() {
        return Optional.ofNullable(config);
    }

    /** The words typed so far inside a rest argument while its completions are computed; empty otherwise. */
    public List<String> restContext() {
        return restContext;
    }

    <T> T withRestContext(List<String> words, Supplier<T> body) {
        List<String> saved = restContext;
        restContext = List.copyOf(words);
        try {
            return body.get();
        } finally {
            restContext = saved;
        }
    }
}
