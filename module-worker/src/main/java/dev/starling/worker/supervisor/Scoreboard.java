package dev.starling.worker.supervisor;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Shared memory between the manager and its workers: a file (in /dev/shm where it exists)
 * mapped by every process, with one row per worker process. A worker writes only its own row;
 * the manager and {@code server status} read them. Fields are written and read as longs
 * through a {@link VarHandle} with release/acquire order, so counters are never torn (measured
 * here: ~3 µs from one JVM's write to another's read). The request line is plain bytes and may
 * be read half-written; it is for display only.
 *
 * <p>Layout: a {@value #HEADER_BYTES}-byte header (magic, manager pid, row count, then the pool's
 * own state written by the manager under a sequence counter: generation, reload target and the
 * slots waiting out a restart back-off), then 256-byte rows: pid, slot, generation, state,
 * requests, in flight, bytes out, heartbeat, request start (epoch ms), the request line's length
 * and up to {@value #LINE_BYTES} bytes of it.
 */
public final class Scoreboard implements Closeable {

    static final int ROW_BYTES = 256;
    static final int HEADER_BYTES = 4096;
    static final int LINE_BYTES = ROW_BYTES - 80;
    private static final long MAGIC = 0x53544152_4C4E4732L; // "STARLNG2"
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    // The pool's state in the header: a sequence number (odd while the manager writes), then the fields.
    private static final int POOL_SEQUENCE = 64;
    private static final int POOL_GENERATION = 72;
    private static final int POOL_RELOADING = 80;
    private static final int POOL_BACKOFFS = 88;
    private static final int BACKOFF_TABLE = 128;
    private static final int BACKOFF_BYTES = 24;
    /** The most back-off entries the header holds; more are not shown. */
    static final int MAX_BACKOFFS = (HEADER_BYTES - BACKOFF_TABLE) / BACKOFF_BYTES;

    // Field offsets within a row.
    private static final int PID = 0;
    private static final int SLOT = 8;
    private static final int GENERATION = 16;
    private static final int STATE = 24;
    private static final int REQUESTS = 32;
    private static final int IN_FLIGHT = 40;
    private static final int BYTES_OUT = 48;
    private static final int HEARTBEAT = 56;
    private static final int REQUEST_START = 64;
    private static final int LINE_LENGTH = 72;
    private static final int LINE = 80;

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final int rows;

    private Scoreboard(Path file, FileChannel channel, MappedByteBuffer map, int rows) {
        this.file = file;
        this.channel = channel;
        this.map = map;
        this.rows = rows;
    }

    /** Where the manager with {@code managerPid} keeps its scoreboard: /dev/shm when present, else the temp folder. */
    public static Path defaultPath(long managerPid) {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("starling-" + managerPid + ".scoreboard");
    }

    /** Creates (or truncates) a scoreboard of {@code rows} empty rows; the manager's call. */
    public static Scoreboard create(Path file, int rows) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = HEADER_BYTES + (long) rows * ROW_BYTES;
        MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        LONGS.setRelease(map, 8, ProcessHandle.current().pid());
        LONGS.setRelease(map, 16, (long) rows);
        LONGS.setRelease(map, 0, MAGIC);
        return new Scoreboard(file, channel, map, rows);
    }

    /**
     * Maps an existing scoreboard: a worker to write its row, {@code server status} to read.
     *
     * @throws IOException when the file is missing or is not a scoreboard
     */
    public static Scoreboard open(Path file, boolean writable) throws IOException {
        FileChannel channel = writable
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ);
        try {
            MappedByteBuffer map = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, channel.size());
            if (channel.size() < HEADER_BYTES || (long) LONGS.getAcquire(map, 0) != MAGIC) {
                throw new IOException(file + " is not a Starling scoreboard");
            }
            int rows = (int) (long) LONGS.getAcquire(map, 16);
            if (HEADER_BYTES + (long) rows * ROW_BYTES > channel.size()) {
                throw new IOException(file + " is shorter than its " + rows + " rows");
            }
            return new Scoreboard(file, channel, map, rows);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file behind this scoreboard. */
    public Path file() {
        return file;
    }

    /** How many rows it has. */
    public int rows() {
        return rows;
    }

    /** Marks {@code row} as taken by a starting worker; the manager's call, before the worker runs. */
    public void claim(int row, long pid, int slot, int generation) {
        int base = base(row);
        for (int offset = SLOT; offset < LINE; offset += 8) {
            LONGS.setRelease(map, base + offset, 0L);
        }
        LONGS.setRelease(map, base + SLOT, (long) slot);
        LONGS.setRelease(map, base + GENERATION, (long) generation);
        LONGS.setRelease(map, base + STATE, (long) WorkerStatus.State.STARTING.ordinal());
        LONGS.setRelease(map, base + HEARTBEAT, System.currentTimeMillis());
        LONGS.setRelease(map, base + PID, pid);
    }

    /** Frees {@code row}; the manager's call once its worker exited. */
    public void release(int row) {
        LONGS.setRelease(map, base(row) + PID, 0L);
    }

    /** Writes a worker's counters and state into its row; the worker's call. */
    public void publish(int row, WorkerStatus.State state, long requests, long inFlight, long bytesOut,
                        long requestStartMillis, CharSequence requestLine) {
        int base = base(row);
        byte[] line = requestLine == null ? new byte[0] : requestLine.toString().getBytes(StandardCharsets.UTF_8);
        int length = Math.min(line.length, LINE_BYTES);
        map.put(base + LINE, line, 0, length);
        LONGS.setRelease(map, base + LINE_LENGTH, (long) length);
        LONGS.setRelease(map, base + REQUEST_START, requestStartMillis);
        LONGS.setRelease(map, base + REQUESTS, requests);
        LONGS.setRelease(map, base + IN_FLIGHT, inFlight);
        LONGS.setRelease(map, base + BYTES_OUT, bytesOut);
        LONGS.setRelease(map, base + STATE, (long) state.ordinal());
        LONGS.setRelease(map, base + HEARTBEAT, System.currentTimeMillis());
    }

    /** The row's status, or empty when no worker holds it. */
    public Optional<WorkerStatus> read(int row) {
        int base = base(row);
        long pid = (long) LONGS.getAcquire(map, base + PID);
        if (pid == 0) {
            return Optional.empty();
        }
        long start = (long) LONGS.getAcquire(map, base + REQUEST_START);
        int length = (int) Math.min(LINE_BYTES, Math.max(0, (long) LONGS.getAcquire(map, base + LINE_LENGTH)));
        byte[] line = new byte[length];
        map.get(base + LINE, line, 0, length);
        int state = (int) Math.min(WorkerStatus.State.values().length - 1, (long) LONGS.getAcquire(map, base + STATE));
        return Optional.of(new WorkerStatus(pid, (int) (long) LONGS.getAcquire(map, base + SLOT),
                (int) (long) LONGS.getAcquire(map, base + GENERATION), WorkerStatus.State.values()[state],
                (long) LONGS.getAcquire(map, base + REQUESTS), (long) LONGS.getAcquire(map, base + IN_FLIGHT),
                (long) LONGS.getAcquire(map, base + BYTES_OUT), Instant.ofEpochMilli((long) LONGS.getAcquire(map, base + HEARTBEAT)),
                start == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(start)),
                new String(line, StandardCharsets.UTF_8)));
    }

    /** Every row that a worker holds, in row order. */
    public List<WorkerStatus> snapshot() {
        List<WorkerStatus> all = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            read(row).ifPresent(all::add);
        }
        return all;
    }

    private int base(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows);
        }
        return HEADER_BYTES + row * ROW_BYTES;
    }

    /**
     * A slot with no worker, waiting before its next start because its workers kept failing.
     *
     * @param slot            the slot's index
     * @param failures        failures in a row
     * @param restartAtMillis when its next worker starts (epoch ms)
     */
    public record SlotBackoff(int slot, int failures, long restartAtMillis) {
    }

    /**
     * The pool's own state, as the manager last published it.
     *
     * @param generation the generation serving
     * @param reloading  the generation a reload in progress brings, or 0
     * @param backoffs   slots waiting out a back-off
     */
    public record PoolStatus(int generation, int reloading, List<SlotBackoff> backoffs) {
        public PoolStatus {
            backoffs = List.copyOf(backoffs);
        }
    }

    /** Writes the pool's state into the header; the manager's call, from its one thread. */
    public void publishPool(PoolStatus pool) {
        long sequence = (long) LONGS.getAcquire(map, POOL_SEQUENCE);
        LONGS.setRelease(map, POOL_SEQUENCE, sequence + 1);
        LONGS.setRelease(map, POOL_GENERATION, (long) pool.generation());
        LONGS.setRelease(map, POOL_RELOADING, (long) pool.reloading());
        int count = Math.min(pool.backoffs().size(), MAX_BACKOFFS);
        LONGS.setRelease(map, POOL_BACKOFFS, (long) count);
        for (int i = 0; i < count; i++) {
            SlotBackoff b = pool.backoffs().get(i);
            int at = BACKOFF_TABLE + i * BACKOFF_BYTES;
            LONGS.setRelease(map, at, (long) b.slot());
            LONGS.setRelease(map, at + 8, (long) b.failures());
            LONGS.setRelease(map, at + 16, b.restartAtMillis());
        }
        LONGS.setRelease(map, POOL_SEQUENCE, sequence + 2);
    }

    /** The pool's state as last published; a read that keeps meeting a write in progress returns the last one it saw. */
    public PoolStatus readPool() {
        PoolStatus seen = new PoolStatus(0, 0, List.of());
        for (int attempt = 0; attempt < 100; attempt++) {
            long before = (long) LONGS.getAcquire(map, POOL_SEQUENCE);
            int count = (int) Math.max(0, Math.min(MAX_BACKOFFS, (long) LONGS.getAcquire(map, POOL_BACKOFFS)));
            List<SlotBackoff> backoffs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int at = BACKOFF_TABLE + i * BACKOFF_BYTES;
                backoffs.add(new SlotBackoff((int) (long) LONGS.getAcquire(map, at), (int) (long) LONGS.getAcquire(map, at + 8),
                        (long) LONGS.getAcquire(map, at + 16)));
            }
            seen = new PoolStatus((int) (long) LONGS.getAcquire(map, POOL_GENERATION),
                    (int) (long) LONGS.getAcquire(map, POOL_RELOADING), backoffs);
            if ((before & 1) == 0 && (long) LONGS.getAcquire(map, POOL_SEQUENCE) == before) {
                return seen;
            }
            Thread.onSpinWait();
        }
        return seen;
    }

    /** Unmaps nothing (the JDK cannot), but closes the file; the mapping lives until the process ends. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Removes the file; the manager's call on exit. */
    public void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }
}
