package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.console.CommandSpec.Invocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The handlers of configuration mode. Each checks what the console can (the file is in the upload area, a path has
 * a value) and hands the rest to the {@link ConfigBackend.Session} of the console session.
 */
final class ConfigurationCommands {

    private ConfigurationCommands() {
    }

    static Output configure(Invocation inv) throws ConfigException {
        ConsoleSession s = inv.session();
        ConfigBackend.Session config = s.console().config().open(new ConfigBackend.Operator(s.user(), s.source()));
        s.enterConfigure(config);
        return new Output.Message("entering configuration mode; 'exit' leaves it, 'commit' applies the candidate");
    }

    static Output load(Invocation inv) throws CommandException, ConfigException {
        Path file = uploaded(inv.session(), inv.arg(0));
        inv.session().config().load(file);
        return new Output.Message("loaded " + inv.arg(0) + " into the candidate; 'compare' shows the change");
    }

    /**
     * Resolves {@code name} in the user's upload area: a relative path that stays inside it, naming a regular
     * file that is not a symbolic link and whose real path is inside the area too.
     */
    static Path uploaded(ConsoleSession s, String name) throws CommandException {
        Path area = s.console().uploadArea(s.user()).toAbsolutePath().normalize();
        Path p = Path.of(name);
        if (p.isAbsolute() || name.isEmpty()) {
            throw new CommandException("'" + name + "' must be a file name in your upload area, not an absolute path");
        }
        Path file = area.resolve(p).normalize();
        if (!file.startsWith(area) || file.equals(area)) {
            throw new CommandException("'" + name + "' is outside your upload area");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandException("no file '" + name + "' in your upload area; upload it with sftp first"
                    + " (files there: " + String.join(", ", uploadedFiles(s)) + ")");
        }
        try {
            if (!file.toRealPath().startsWith(area.toRealPath())) {
                throw new CommandException("'" + name + "' leads outside your upload area");
            }
        } catch (IOException e) {
            throw new CommandException("cannot read '" + name + "': " + e.getMessage());
        }
        return file;
    }

    /** The regular files of the user's upload area, as relative names, for completion. */
    static List<String> uploadedFiles(ConsoleSession s) {
        Path area = s.console().uploadArea(s.user());
        if (!Files.isDirectory(area)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(area, 4)) {
            return files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .map(f -> area.relativize(f).toString()).sorted().limit(200).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /** Completions of a {@code set} or {@code delete} path: what the candidate has under the words typed so far. */
    static List<String> pathCompletions(ConsoleSession s) {
        return s.configIfAny().map(c -> c.completions(s.restContext())).orElse(List.of());
    }

    static Output set(Invocation inv) throws CommandException, ConfigException {
        List<String> words = inv.restWords();
        if (words.size() < 2) {
            throw new CommandException("set needs a path and a value, for example: set rules web action reject");
        }
        inv.session().config().set(words.subList(0, words.size() - 1), words.getLast());
        return Output.NONE;
    }

    static Output delete(Invocation inv) throws CommandException, ConfigException {
        inv.session().config().delete(inv.restWords());
        return Output.NONE;
    }

    static Output showCandidate(Invocation inv) throws CommandException {
        ConfigBackend.Session c = inv.session().config();
        return new Output.Document("candidate" + (c.modified() ? " (modified)" : ""),
                Map.of("modified", c.modified()), c.candidate());
    }

    static Output compare(Invocation inv) throws CommandException, ConfigException {
        OptionalInt against = inv.args().isEmpty() ? OptionalInt.empty() : OptionalInt.of(inv.intArg(0));
        ConfigBackend.Comparison c = inv.session().config().compare(against);
        List<List<Object>> rows = new ArrayList<>();
        for (ConfigBackend.VerdictChange v : c.verdictChanges()) {
            rows.add(Output.Table.row(v.flow(), v.before(), v.after(), v.origin()));
        }
        Map<String, Output> parts = new LinkedHashMap<>();
        parts.put("policy diff against revision " + c.against(),
                new Output.Text(c.textDiff().isEmpty() ? "(no differences)\n" : c.textDiff()));
        parts.put("verdict changes (" + c.verdictChanges().size() + " of " + c.flowsSampled() + " sampled flows)",
                new Output.Table(List.of("flow", "before", "after", "origin"), rows));
        return new Output.Sections(parts);
    }

    static Output check(Invocation inv) throws CommandException, ConfigException {
        ConfigBackend.CheckResult r = inv.session().config().check();
        if (!r.valid()) {
            throw new ConfigException("configuration check fails", r.diagnostics());
        }
        List<String> lines = new ArrayList<>(r.diagnostics());
        lines.add("configuration check succeeds");
        return new Output.Lines(lines);
    }

    static Output commit(Invocation inv) throws CommandException, ConfigException {
        Optional<String> comment = Commands.optionalArg(inv, 0);
        ConfigBackend.CommitResult r = inv.session().config().commit(comment);
        return committed(r);
    }

    static Output commitConfirmed(Invocation inv) throws CommandException, ConfigException {
        Duration within = Duration.ofMinutes(inv.intArg(0));
        ConfigBackend.CommitResult r = inv.session().config().commitConfirmed(within, Commands.optionalArg(inv, 1));
        return committed(r);
    }

    private static Output committed(ConfigBackend.CommitResult r) {
        String title = "commit complete: revision " + r.revision() + " is running"
                + r.confirmBy().map(t -> "; it rolls back at " + t + " unless you 'confirm'").orElse("");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("revision", r.revision());
        fields.put("confirmBy", r.confirmBy());
        return new Output.Document(title, fields, r.message());
    }

    static Output confirm(Invocation inv) throws CommandException, ConfigException {
        return new Output.Message(inv.session().config().confirm());
    }

    static Output rollback(Invocation inv) throws CommandException, ConfigException {
        inv.session().config().rollback(inv.intArg(0));
        return new Output.Message("the candidate is now revision " + inv.arg(0) + "; 'commit' applies it");
    }

    static Output discard(Invocation inv) throws CommandException {
        inv.session().config().discard();
        return new Output.Message("the candidate's changes are discarded");
    }

    static Output exit(Invocation inv) throws CommandException {
        boolean modified = inv.session().config().modified();
        inv.session().leaveConfigure();
        return new Output.Message(modified ? "left configuration mode; the uncommitted changes are dropped"
                : "left configuration mode");
    }
}
