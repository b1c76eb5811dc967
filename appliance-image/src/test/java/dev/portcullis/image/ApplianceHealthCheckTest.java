package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot assessment's health check against real sockets on loopback. */
class ApplianceHealthCheckTest {

    @TempDir
    Path config;

    private ServerSocket listener;
    private ServerSocket console;
    private Thread consoleThread;

    @BeforeEach
    void start() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        console = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        consoleThread = Thread.ofVirtual().start(() -> {
            while (!console.isClosed()) {
                try (Socket s = console.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("SSH-2.0-PortcullisConsole\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return;
                }
            }
        });
        Files.writeString(config.resolve("appliance.yaml"), """
                node: edge1
                policy: policy.yaml
                logging: {directory: logs}
                """);
        Files.writeString(config.resolve("policy.yaml"), """
                version: 1
                cluster: {name: c, podCIDR: [10.244.0.0/16], serviceCIDR: [10.96.0.0/12]}
                services:
                  web: {listen: [127.0.0.1:%d], endpoints: [10.244.1.10:8080]}
                rules:
                  - {name: web, destination: [service:web], action: accept}
                """.formatted(listener.getLocalPort()));
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
        console.close();
        consoleThread.join();
    }

    private HealthCheck check() {
        return new ApplianceHealthCheck(config, Optional.of(new InetSocketAddress("127.0.0.1",
                console.getLocalPort())), Optional.empty(), Duration.ofSeconds(2));
    }

    @Test
    void problems_listenerAndConsoleUp_none() {
        assertThat(check().problems()).isEmpty();
    }

    @Test
    void problems_listenerDown_namesTheListenerAndService() throws IOException {
        int port = listener.getLocalPort();
        listener.close();
        assertThat(check().problems()).singleElement().asString()
                .startsWith("listener 127.0.0.1:" + port + " of service web does not accept connections");
    }

    @Test
    void problems_consoleNotSsh_saysWhatItAnswered() throws Exception {
        console.close();
        consoleThread.join();
        try (ServerSocket http = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = http.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test ends either way
                }
            });
            HealthCheck c = new ApplianceHealthCheck(config, Optional.of(new InetSocketAddress("127.0.0.1",
                    http.getLocalPort())), Optional.empty(), Duration.ofSeconds(2));
            assertThat(c.problems()).singleElement().asString().contains("answered without an SSH banner: 'HTTP/1.1'");
            t.join();
        }
    }

    @Test
    void problems_invalidPolicy_saysSoAndStops() throws IOException {
        Files.writeString(config.resolve("policy.yaml"), "version: 1\nrules: [{name: x, action: acept}]\n");
        assertThat(check().problems()).singleElement().asString().startsWith("policy ")
                .contains("is invalid (");
    }

    @Test
    void problems_defaultConfigurationOfTheImage_isValid() throws IOException {
        // What a new image starts with: valid, nothing to listen on.
        Path configs = CommandLineRepo.file("configs/appliance");
        List<String> p = new ApplianceHealthCheck(configs, Optional.empty(), Optional.empty(), Duration.ofSeconds(1))
                .problems();
        assertThat(p).isEmpty();
    }
}
