package dev.portcullis.image;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/** Reads the one PEM block of a key file, checking its type; what both key kinds share. */
final class PemFiles {

    private PemFiles() {
    }

    /**
     * The content of the first PEM block of {@code file}, which must be of {@code type}.
     *
     * @throws KeyFileException naming the file when it is not PEM or the block is of another type
     */
    static byte[] read(Path file, String type) throws IOException, KeyFileException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        PemObject pem;
        try (PemReader r = new PemReader(new StringReader(text))) {
            pem = r.readPemObject();
        } catch (IOException e) {
            throw new KeyFileException(file + ": not a PEM file: " + e.getMessage());
        }
        if (pem == null || !type.equals(pem.getType())) {
            throw new KeyFileException(file + ": expected a '-----BEGIN " + type + "-----' block"
                    + (pem == null ? "" : ", found '" + pem.getType() + "'"));
        }
        return pem.getContent();
    }
}
