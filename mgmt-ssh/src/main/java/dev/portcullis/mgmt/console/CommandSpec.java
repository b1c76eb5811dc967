package dev.portcullis.mgmt.console;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One command of the console: its words, the privilege it needs, the modes it exists in, a line of help and what
 * runs it. Built by {@link Commands} from a syntax such as {@code "show connections service <service>"}.
 */
public record CommandSpec(List<Word> words, Privilege privilege, Set<Mode> modes, String help, Handler handler) {

    public CommandSpec {
        words = List.copyOf(words);
        modes = Set.copyOf(modes);
        Objects.requireNonNull(privilege, "privilege");
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(handler, "handler");
        for (int i = 0; i < words.size() - 1; i++) {
            if (words.get(i) instanceof Word.Argument a && a.type().rest()) {
                throw new IllegalArgumentException("only the last word may take the rest of the line: " + words);
            }
        }
    }

    /** The syntax as help shows it: {@code show connections service <service>}. */
    public String syntax() {
        return String.join(" ", words.stream().map(Word::shown).toList());
    }

    /** One word of the syntax. */
    public sealed interface Word {
        String shown();

        String help();

        /** A fixed word, which may be abbreviated while unambiguous. */
        record Keyword(String word, String help) implements Word {
            @Override
            public String shown() {
                return word;
            }
        }

        /** A value of a type. */
        record Argument(ArgType type) implements Word {
            @Override
            public String shown() {
                return type.placeholder() + (type.rest() ? "..." : "");
            }

            @Override
            public String help() {
                return type.help();
            }
        }
    }

    /** Runs a parsed command. */
    @FunctionalInterface
    public interface Handler {
        Output run(Invocation invocation) throws CommandException, ConfigException;
    }

    /**
     * A command to run: the session it runs in and its argument values in order ({@code rest} arguments joined by
     * single spaces, their words also in {@link #restWords}).
     */
    public record Invocation(ConsoleSession session, List<String> args, List<String> restWords) {
        public Invocation {
            args = List.copyOf(args);
            restWords = List.copyOf(restWords);
        }

        public String arg(int i) {
            return args.get(i);
        }

        public int intArg(int i) {
            return Integer.parseInt(args.get(i));
        }
    }
}
