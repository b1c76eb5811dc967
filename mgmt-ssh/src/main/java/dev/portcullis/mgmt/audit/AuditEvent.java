package dev.portcullis.mgmt.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One audited event: a login, a failed login, a refused connection or a console command, with its result.
 *
 * <pre>{"time":"2026-11-28T09:00:00Z","user":"alice","source":"192.0.2.7","event":"command",
 *  "command":"clear counters","result":"ok"}</pre>
 *
 * @param user the user name as given by the client (for a failed login, whatever it claimed)
 * @param source the client's address
 * @param event what happened: {@code login}, {@code login-failed}, {@code connection-refused}, {@code command},
 *              {@code logout}
 * @param command the command line for {@code command}; otherwise the authentication method or empty
 * @param result {@code ok}, {@code refused: WHY} or {@code error: WHY}
 */
public record AuditEvent(Instant time, String user, String source, String event, String command, String result) {

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(result, "result");
    }

    /** The event as one line of JSON, without the line end. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"time\":");
        JsonText.string(sb, time.toString());
        sb.append(",\"user\":");
        JsonText.string(sb, user);
        sb.append(",\"source\":");
        JsonText.string(sb, source);
        sb.append(",\"event\":");
        JsonText.string(sb, event);
        sb.append(",\"command\":");
        JsonText.string(sb, command);
        sb.append(",\"result\":");
        JsonText.string(sb, result);
        return sb.append('}').toString();
    }
}
