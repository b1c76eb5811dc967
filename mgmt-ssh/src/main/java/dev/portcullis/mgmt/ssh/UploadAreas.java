package dev.portcullis.mgmt.ssh;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.file.root.RootedFileSystemProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * What SFTP shows each user: a file system rooted at their own upload area ({@code uploads/USER}, made on first
 * use with mode 0700), where {@code /} is that directory and nothing outside it can be named. Links are never made
 * and never followed: a link found in the area (put there by someone on the appliance itself) is neither opened
 * nor listed as its target, so it cannot lead out.
 */
final class UploadAreas implements FileSystemFactory {

    private final Path root;

    UploadAreas(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The upload area of the session's user, made if missing. */
    @Override
    public Path getUserHomeDir(SessionContext session) throws IOException {
        String user = session.getUsername();
        if (user == null || user.isEmpty() || user.contains("/") || user.startsWith(".")) {
            throw new AccessDeniedException("no upload area for user '" + user + "'");
        }
        Path area = root.resolve(user);
        if (!Files.isDirectory(area, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(area,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return area;
    }

    @Override
    public FileSystem createFileSystem(SessionContext session) throws IOException {
        return new RootedFileSystemProvider().newFileSystem(getUserHomeDir(session), Map.of());
    }

    /** The SFTP server's file access: as Mina's, but links are refused and never followed. */
    static final class NoLinks implements SftpFileSystemAccessor {

        @Override
        public LinkOption[] resolveFileAccessLinkOptions(SftpSubsystemProxy subsystem, Path file, int cmd,
                                                         String extension, boolean followLinks) {
            return new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        }

        @Override
        public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle handle, Path file,
                                            String handleId, Set<? extends OpenOption> options,
                                            FileAttribute<?>... attrs) throws IOException {
            refuseLinkedParents(file);
            return SftpFileSystemAccessor.seekableByteChannelNoLinkFollow(file, options, attrs);
        }

        @Override
        public java.nio.file.DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem,
                org.apache.sshd.sftp.server.DirectoryHandle handle, Path dir, String handleId,
                LinkOption... options) throws IOException {
            if (Files.isSymbolicLink(dir)) {
                throw new AccessDeniedException(dir.toString(), null, "links in the upload area are not followed");
            }
            refuseLinkedParents(dir);
            return SftpFileSystemAccessor.super.openDirectory(subsystem, handle, dir, handleId, options);
        }

        @Override
        public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink)
                throws IOException {
            throw new AccessDeniedException(link.toString(), null, "links cannot be made in the upload area");
        }

        @Override
        public String resolveLinkTarget(SftpSubsystemProxy subsystem, Path link) throws IOException {
            throw new AccessDeniedException(link.toString(), null, "links in the upload area are not followed");
        }

        /** Refuses a path any of whose directories is a link. */
        private static void refuseLinkedParents(Path file) throws IOException {
            for (Path p = file.toAbsolutePath().getParent(); p != null && p.getFileName() != null; p = p.getParent()) {
                if (Files.isSymbolicLink(p)) {
                    throw new AccessDeniedException(file.toString(), null, "a directory on the way is a link");
                }
            }
        }
    }
}
