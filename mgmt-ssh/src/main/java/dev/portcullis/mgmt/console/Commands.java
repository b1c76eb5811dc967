package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.console.CommandSpec.Handler;
import dev.portcullis.mgmt.console.CommandSpec.Invocation;
import dev.portcullis.mgmt.console.CommandSpec.Word;
import dev.portcullis.policy.FlowParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every console command: its syntax, privilege, modes and help, and the handler that runs it. The handlers live in
 * {@link OperationalCommands} and {@link ConfigurationCommands}; this class only lists them.
 *
 * <p>Syntax strings are words separated by blanks: a plain word is a keyword, {@code <type>} is an argument of one
 * of the types below.
 */
public final class Commands {

    private Commands() {
    }

    static final ArgType SERVICE = ArgType.word("service", "a service of the running policy",
            s -> s.console().view().state().policy().policy().services().stream().map(x -> x.name()).toList());
    static final ArgType REVISION = ArgType.number("revision", "a stored revision number", 1, 999_999_999,
            s -> s.console().config().history().stream().map(r -> Integer.toString(r.number())).toList());
    static final ArgType SOURCE = new ArgType("source", "ADDRESS[:PORT], the flow's source",
            w -> parses(() -> FlowParser.endpoint(w)), s -> List.of(), false);
    static final ArgType DESTINATION = new ArgType("destination", "ADDRESS:PORT, the flow's destination",
            w -> parses(() -> FlowParser.endpoint(w)), s -> List.of(), false);
    static final ArgType PROTOCOL = new ArgType("protocol", "tcp, udp, icmp or a protocol number",
            w -> parses(() -> FlowParser.protocol(w)), s -> List.of("tcp", "udp", "icmp"), false);
    static final ArgType FILE = ArgType.word("file", "a file in your upload area (put it there with sftp)",
            ConfigurationCommands::uploadedFiles);
    static final ArgType PATH_VALUE = ArgType.rest("path", "a path in the policy tree, then the value",
            ConfigurationCommands::pathCompletions);
    static final ArgType PATH = ArgType.rest("path", "a path in the policy tree", ConfigurationCommands::pathCompletions);
    static final ArgType TEXT = ArgType.rest("text", "free text (quote it to keep several blanks)", s -> List.of());
    static final ArgType MINUTES = ArgType.number("minutes", "minutes to wait for 'confirm' before rolling back",
            1, 1440, s -> List.of());

    private static final Map<String, ArgType> TYPES = Map.of("service", SERVICE, "revision", REVISION,
            "source", SOURCE, "destination", DESTINATION, "protocol", PROTOCOL, "file", FILE,
            "path-value", PATH_VALUE, "path", PATH, "text", TEXT, "minutes", MINUTES);

    /** Help for keywords that start several commands. */
    private static final Map<String, String> KEYWORD_HELP = Map.ofEntries(
            Map.entry("show", "Show the appliance's state"),
            Map.entry("clear", "Clear counters or connections"),
            Map.entry("test", "Try a flow against the policy"),
            Map.entry("log", "Show the end of a log"),
            Map.entry("connections", "Established TCP connections"),
            Map.entry("rules", "The running policy's rules"),
            Map.entry("config", "A policy revision's text"),
            Map.entry("policy", "Which rule decides a flow"),
            Map.entry("commit", "Check, store and apply the candidate"),
            Map.entry("compare", "Diff the candidate against a revision, with the verdict diff"),
            Map.entry("confirmed", "Roll back by itself unless confirmed in time"),
            Map.entry("comment", "A comment stored with the revision"),
            Map.entry("service", "Only this service"),
            Map.entry("revision", "A stored revision"),
            Map.entry("from", "The flow's source"),
            Map.entry("to", "The flow's destination"),
            Map.entry("protocol", "The flow's protocol (default tcp)"));

    private static final Set<Mode> BOTH = Set.of(Mode.OPERATIONAL, Mode.CONFIGURE);
    private static final Set<Mode> OPERATIONAL = Set.of(Mode.OPERATIONAL);
    private static final Set<Mode> CONFIGURE = Set.of(Mode.CONFIGURE);

    /** The console's grammar. */
    static Grammar grammar() {
        List<CommandSpec> s = new ArrayList<>();
        // Operational: show (everyone).
        s.add(spec("show version", Privilege.SHOW, BOTH, "Software version", OperationalCommands::version));
        s.add(spec("show system", Privilege.SHOW, BOTH, "Node, uptime, memory, data plane totals",
                OperationalCommands::system));
        s.add(spec("show services", Privilege.SHOW, BOTH, "Services with their listeners and traffic",
                OperationalCommands::services));
        s.add(spec("show endpoints", Privilege.SHOW, BOTH, "Pod endpoints with health and traffic",
                OperationalCommands::endpoints));
        s.add(spec("show connections", Privilege.SHOW, BOTH, "Established TCP connections",
                OperationalCommands::connections));
        s.add(spec("show connections service <service>", Privilege.SHOW, BOTH,
                "Established TCP connections of one service", OperationalCommands::connections));
        s.add(spec("show rules", Privilege.SHOW, BOTH, "The running policy's rules", OperationalCommands::rules));
        s.add(spec("show rules hits", Privilege.SHOW, BOTH, "Rules with hit counts and last hit",
                OperationalCommands::ruleHits));
        s.add(spec("show routes", Privilege.SHOW, BOTH, "Node podCIDRs and how each is reached",
                OperationalCommands::routes));
        s.add(spec("show config", Privilege.SHOW, BOTH, "The running policy", OperationalCommands::runningConfig));
        s.add(spec("show config running", Privilege.SHOW, BOTH, "The running policy",
                OperationalCommands::runningConfig));
        s.add(spec("show config revision <revision>", Privilege.SHOW, BOTH, "A stored revision's policy",
                OperationalCommands::revisionConfig));
        s.add(spec("show metrics", Privilege.SHOW, BOTH, "What the Prometheus endpoint exports",
                OperationalCommands::metrics));
        s.add(spec("show snmp", Privilege.SHOW, BOTH, "The SNMP agent: state, requests, notifications",
                OperationalCommands::snmp));
        s.add(spec("show history", Privilege.SHOW, BOTH, "Stored revisions: who, when, why",
                OperationalCommands::history));
        s.add(spec("show log audit", Privilege.SHOW, BOTH, "The last lines of the audit log",
                OperationalCommands::auditLog));
        s.add(spec("show log decisions", Privilege.SHOW, BOTH, "The last lines of the decision log",
                OperationalCommands::decisionLog));
        s.add(spec("show system software", Privilege.SHOW, BOTH, "The A/B software slots: versions, running, good",
                OperationalCommands::systemSoftware));
        s.add(spec("request system software add <file>", Privilege.CONFIGURE, OPERATIONAL,
                "Verify an uploaded update bundle and install it to the inactive slot",
                OperationalCommands::softwareAdd));
        s.add(spec("request system software add <file> force", Privilege.CONFIGURE, OPERATIONAL,
                "The same, also for a bundle older than the running version", OperationalCommands::softwareAddForce));
        s.add(spec("request system reboot", Privilege.CONFIGURE, OPERATIONAL,
                "Reboot (into a newly installed slot, tried once)", OperationalCommands::reboot));
        s.add(spec("help", Privilege.SHOW, BOTH, "The commands you may run here", OperationalCommands::help));
        s.add(spec("exit", Privilege.SHOW, OPERATIONAL, "Log out", OperationalCommands::logout));
        // Operational: test and clear (operator, admin).
        s.add(spec("test policy from <source> to <destination>", Privilege.TEST, BOTH,
                "The verdict and the deciding rule for a TCP flow", OperationalCommands::testPolicy));
        s.add(spec("test policy from <source> to <destination> protocol <protocol>", Privilege.TEST, BOTH,
                "The verdict and the deciding rule for a flow", OperationalCommands::testPolicy));
        s.add(spec("clear counters", Privilege.CLEAR, BOTH, "Zero rule hits and traffic totals",
                OperationalCommands::clearCounters));
        s.add(spec("clear connections", Privilege.CLEAR, BOTH, "Close every established connection",
                OperationalCommands::clearConnections));
        s.add(spec("clear connections service <service>", Privilege.CLEAR, BOTH,
                "Close the connections of one service", OperationalCommands::clearConnections));
        // Configuration (admin).
        s.add(spec("configure", Privilege.CONFIGURE, OPERATIONAL, "Enter configuration mode",
                ConfigurationCommands::configure));
        s.add(spec("load <file>", Privilege.CONFIGURE, CONFIGURE, "Replace the candidate with an uploaded file",
                ConfigurationCommands::load));
        s.add(spec("set <path-value>", Privilege.CONFIGURE, CONFIGURE, "Set a value in the candidate",
                ConfigurationCommands::set));
        s.add(spec("delete <path>", Privilege.CONFIGURE, CONFIGURE, "Delete a part of the candidate",
                ConfigurationCommands::delete));
        s.add(spec("show candidate", Privilege.CONFIGURE, CONFIGURE, "The candidate policy",
                ConfigurationCommands::showCandidate));
        s.add(spec("compare", Privilege.CONFIGURE, CONFIGURE, "Diff against the running revision, with verdicts",
                ConfigurationCommands::compare));
        s.add(spec("compare revision <revision>", Privilege.CONFIGURE, CONFIGURE,
                "Diff against a stored revision, with verdicts", ConfigurationCommands::compare));
        s.add(spec("check", Privilege.CONFIGURE, CONFIGURE, "Check the candidate as 'policy check' does",
                ConfigurationCommands::check));
        s.add(spec("commit", Privilege.CONFIGURE, CONFIGURE, "Check, store and apply the candidate",
                ConfigurationCommands::commit));
        s.add(spec("commit comment <text>", Privilege.CONFIGURE, CONFIGURE, "Commit with a comment",
                ConfigurationCommands::commit));
        s.add(spec("commit confirmed <minutes>", Privilege.CONFIGURE, CONFIGURE,
                "Commit; roll back by itself unless confirmed in time", ConfigurationCommands::commitConfirmed));
        s.add(spec("commit confirmed <minutes> comment <text>", Privilege.CONFIGURE, CONFIGURE,
                "Commit confirmed, with a comment", ConfigurationCommands::commitConfirmed));
        s.add(spec("confirm", Privilege.CONFIGURE, CONFIGURE, "Keep the revision of a 'commit confirmed'",
                ConfigurationCommands::confirm));
        s.add(spec("rollback <revision>", Privilege.CONFIGURE, CONFIGURE,
                "Replace the candidate with a stored revision", ConfigurationCommands::rollback));
        s.add(spec("discard", Privilege.CONFIGURE, CONFIGURE, "Drop the candidate's changes",
                ConfigurationCommands::discard));
        s.add(spec("exit", Privilege.CONFIGURE, CONFIGURE, "Leave configuration mode",
                ConfigurationCommands::exit));
        return new Grammar(s);
    }

    private static CommandSpec spec(String syntax, Privilege privilege, Set<Mode> modes, String help,
                                    Handler handler) {
        List<Word> words = new ArrayList<>();
        for (String w : syntax.split(" ")) {
            if (w.startsWith("<")) {
                ArgType t = TYPES.get(w.substring(1, w.length() - 1));
                if (t == null) {
                    throw new IllegalArgumentException("unknown argument type " + w + " in '" + syntax + "'");
                }
                words.add(new Word.Argument(t));
            } else {
                words.add(new Word.Keyword(w, KEYWORD_HELP.getOrDefault(w, help)));
            }
        }
        return new CommandSpec(words, privilege, modes, help, handler);
    }

    private static Optional<String> parses(Runnable parse) {
        try {
            parse.run();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The arguments of an invocation after a keyword, if the syntax had it: for optional parts. */
    static Optional<String> optionalArg(Invocation inv, int index) {
        return index < inv.args().size() ? Optional.of(inv.arg(index)) : Optional.empty();
    }
}
