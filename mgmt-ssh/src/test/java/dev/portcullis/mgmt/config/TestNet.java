package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** Loopback helpers for tests that run a real data plane: a pod that greets and echoes, and client checks. */
final class TestNet {

    private TestNet() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A TCP pod on {@code address}: answers each connection with its name and a line break, then echoes. */
    static final class Pod implements AutoCloseable {
        private final ServerSocket server;
        private final String name;

        Pod(String address, int port, String name) throws IOException {
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            this.name = name;
            Thread.ofVirtual().start(this::serve);
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket s) {
            try (s) {
                OutputStream out = s.getOutputStream();
                out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) != -1) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the test closed it
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Sends a line and expects it echoed back through the data plane. */
    static void assertEchoes(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertThat(readLine(s)).isEqualTo(line);
    }

    /** Connects to a listener and expects to be let through to the pod named {@code pod}. */
    static void assertAdmitted(int port, String pod) throws IOException {
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo(pod);
        }
    }

    /** Connects and expects the connection to end without data (closed or reset), or to be refused at once. */
    static void assertRefused(int port) throws IOException {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                assertThat(s.getInputStream().read()).as("data from port " + port).isEqualTo(-1);
            } catch (SocketException e) {
                // reset or refused: as expected
            }
        }
    }
}
