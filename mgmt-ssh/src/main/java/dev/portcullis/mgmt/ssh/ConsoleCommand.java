package dev.portcullis.mgmt.ssh;

import dev.portcullis.mgmt.console.Console;
import dev.portcullis.mgmt.console.ConsoleSession;
import dev.portcullis.mgmt.console.LineWords;
import dev.portcullis.policy.ApplianceConfig.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console on one SSH channel, in one of three ways: interactive (a shell with a pseudo-terminal: JLine line
 * editing, history, tab completion and {@code ?} help), a script (a shell without a terminal: each line of
 * standard input is a command), or one-shot ({@code ssh edge 'show rules'}: one command, its exit status).
 *
 * <p>Exit status: 0 when every command ran, 1 when one failed or was malformed, 2 when one was refused to the
 * user's role.
 *
 * <p>Threading: {@link #start} starts one virtual thread that runs the console; {@link #destroy} comes from Mina's
 * thread when the channel closes and ends it.
 */
final class ConsoleCommand implements Command {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleCommand.class);

    private final Console console;
    private final Accounts accounts;
    private final Optional<String> oneShot;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    /** The console thread; set in start, read in destroy. */
    private volatile Thread thread;
    private volatile Terminal terminal;

    ConsoleCommand(Console console, Accounts accounts, Optional<String> oneShot) {
        this.console = console;
        this.accounts = accounts;
        this.oneShot = oneShot;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        String user = channel.getSession().getUsername();
        Role role = accounts.get(user).map(Accounts.Account::role).orElseThrow(
                () -> new IllegalStateException("start: logged-in user " + user + " has no account"));
        ConsoleSession session = console.session(user, role, Logins.source(channel.getSession()));
        boolean pty = env.getEnv().containsKey(Environment.ENV_TERM);
        thread = Thread.ofVirtual().name("console-" + user).start(() -> {
            int status;
            try {
                if (oneShot.isPresent()) {
                    status = runOne(session, oneShot.get(), pty);
                } else if (pty) {
                    status = interactive(session, env);
                } else {
                    status = script(session);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("start: console of {} ended: {}", user, e.toString());
                status = ConsoleSession.FAILED;
            } finally {
                session.close();
            }
            exit.onExit(status);
        });
    }

    private int runOne(ConsoleSession session, String line, boolean pty) throws IOException {
        ConsoleSession.Result r = session.execute(line);
        write(out, r.out(), pty);
        write(err, r.err(), pty);
        return r.status();
    }

    private int script(ConsoleSession session) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int worst = ConsoleSession.OK;
        String line;
        while (!session.ended() && (line = reader.readLine()) != null) {
            ConsoleSession.Result r = session.execute(line);
            write(out, r.out(), false);
            write(err, r.err(), false);
            worst = Math.max(worst, r.status());
        }
        return worst;
    }

    private static void write(OutputStream s, String text, boolean pty) throws IOException {
        if (text.isEmpty()) {
            return;
        }
        s.write((pty ? text.replace("\n", "\r\n") : text).getBytes(StandardCharsets.UTF_8));
        s.flush();
    }

    private int interactive(ConsoleSession session, Environment env) throws IOException {
        Map<String, String> vars = env.getEnv();
        // Built directly rather than by TerminalBuilder, which probes for native terminal support that a
        // terminal over an SSH channel never uses.
        Terminal t = new ExternalTerminal(null, "ssh", vars.getOrDefault(Environment.ENV_TERM, "xterm"), in, out,
                StandardCharsets.UTF_8, Terminal.SignalHandler.SIG_DFL, false, terminalAttributes(), size(vars));
        terminal = t;
        env.addSignalListener((channel, signal) -> {
            t.setSize(size(env.getEnv()));
            t.raise(Terminal.Signal.WINCH);
        }, Signal.WINCH);
        try (t) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(t)
                    .appName("portcullis")
                    .history(new DefaultHistory())
                    .variable(LineReader.HISTORY_SIZE, 500)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .completer((r, parsed, candidates) -> complete(session, parsed.line(), parsed.cursor(),
                            candidates))
                    .build();
            reader.getWidgets().put("context-help", () -> contextHelp(session, reader));
            reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference("context-help"), "?");
            t.writer().println("Portcullis " + console.view().version() + " on " + console.view().node() + ": "
                    + session.user() + " (" + session.role().word() + "). Type ? for help, TAB to complete.");
            t.flush();
            int worst = ConsoleSession.OK;
            while (!session.ended()) {
                String line;
                try {
                    line = reader.readLine(session.prompt());
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                ConsoleSession.Result r = session.execute(line);
                t.writer().print(r.out());
                t.writer().print(r.err());
                t.flush();
                worst = Math.max(worst, r.status());
            }
            return worst;
        }
    }

    /** {@code ?}: help for the words before the cursor, printed above the line, which stays as it was. */
    private static boolean contextHelp(ConsoleSession session, LineReader reader) {
        String before = reader.getBuffer().upToCursor();
        LineWords.Split split = LineWords.splitPartial(before);
        if (split.openQuote() >= 0) {
            reader.getBuffer().write('?'); // inside quotes it is just a character
            return true;
        }
        List<String> done = new ArrayList<>(split.words().stream().map(LineWords.Word::text).toList());
        String partial = split.endsInWord() && !done.isEmpty() ? done.removeLast() : "";
        reader.printAbove(session.help(done, partial).stripTrailing());
        return true;
    }

    private static void complete(ConsoleSession session, String line, int cursor, List<Candidate> candidates) {
        LineWords.Split split = LineWords.splitPartial(line.substring(0, Math.min(cursor, line.length())));
        List<String> done = new ArrayList<>(split.words().stream().map(LineWords.Word::text).toList());
        String partial = split.endsInWord() && !done.isEmpty() ? done.removeLast() : "";
        for (String word : session.complete(done, partial)) {
            candidates.add(new Candidate(word, word, null, null, null, null, true));
        }
    }

    private static Size size(Map<String, String> vars) {
        return new Size(number(vars.get(Environment.ENV_COLUMNS), 80), number(vars.get(Environment.ENV_LINES), 24));
    }

    private static int number(String s, int dflt) {
        try {
            int n = s == null ? dflt : Integer.parseInt(s);
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /**
     * The terminal's line discipline on our side of the channel: the client's terminal is raw, so we turn CR into
     * NL on input and NL into CRNL on output, and let ^C interrupt the line being edited.
     */
    private static Attributes terminalAttributes() {
        Attributes a = new Attributes();
        a.setInputFlag(Attributes.InputFlag.ICRNL, true);
        a.setOutputFlag(Attributes.OutputFlag.OPOST, true);
        a.setOutputFlag(Attributes.OutputFlag.ONLCR, true);
        a.setLocalFlag(Attributes.LocalFlag.ISIG, true);
        a.setLocalFlag(Attributes.LocalFlag.ICANON, true);
        a.setLocalFlag(Attributes.LocalFlag.ECHO, true);
        a.setLocalFlag(Attributes.LocalFlag.IEXTEN, true);
        a.setControlChar(Attributes.ControlChar.VINTR, 3);
        a.setControlChar(Attributes.ControlChar.VEOF, 4);
        a.setControlChar(Attributes.ControlChar.VERASE, 127);
        a.setControlChar(Attributes.ControlChar.VKILL, 21);
        a.setControlChar(Attributes.ControlChar.VWERASE, 23);
        a.setControlChar(Attributes.ControlChar.VSUSP, 26);
        return a;
    }

    @Override
    public void destroy(ChannelSession channel) throws Exception {
        Terminal t = terminal;
        if (t != null) {
            t.close();
        }
        Thread th = thread;
        if (th != null) {
            th.interrupt();
        }
    }
}
