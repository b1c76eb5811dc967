package dev.portcullis.mgmt.console;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The kind of value an argument takes: how it is shown in help ({@code <service>}), how a typed value is checked,
 * and what tab completion offers for it in a given session.
 *
 * @param name the placeholder shown in help and errors
 * @param check returns why a value is not valid, or empty when it is
 * @param completions the values to offer (may be empty: the placeholder is shown by {@code ?} instead)
 * @param rest whether the argument takes every remaining word of the line (one at least)
 */
public record ArgType(String name, String help, Function<String, Optional<String>> check,
                      Function<ConsoleSession, List<String>> completions, boolean rest) {

    /** Any word. */
    public static ArgType word(String name, String help, Function<ConsoleSession, List<String>> completions) {
        return new ArgType(name, help, w -> Optional.empty(), completions, false);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static ArgType number(String name, String help, int min, int max,
                                 Function<ConsoleSession, List<String>> completions) {
        return new ArgType(name, help, w -> {
            boolean digits = !w.isEmpty() && w.length() <= 9 && w.chars().allMatch(c -> c >= '0' && c <= '9');
            if (!digits || Integer.parseInt(w) < min || Integer.parseInt(w) > max) {
                return Optional.of("'" + w + "' is not a whole number from " + min + " to " + max);
            }
            return Optional.empty();
        }, completions, false);
    }

    /** The rest of the line. */
    public static ArgType rest(String name, String help, Function<ConsoleSession, List<String>> completions) {
        return new ArgType(name, help, w -> Optional.empty(), completions, true);
    }

    /** The placeholder as help shows it: {@code <service>}. */
    public String placeholder() {
        return "<" + name + ">";
    }
}
