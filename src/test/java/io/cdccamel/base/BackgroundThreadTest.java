package io.cdccamel.base;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class BackgroundThreadTest {

    private static String tid() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    @Test
    void shouldLowerOnlyTheCallingThreadToNice19() throws Exception {
        String mine = tid();
        int before = BackgroundThread.niceOf(mine);
        CompletableFuture<String> lowered = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                assertThat(BackgroundThread.lowerPriority()).isTrue();
                lowered.complete(tid());
                checked.await(); // alive until its stat is read: an ended thread has none
            } catch (Throwable e) {
                lowered.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        try {
            String other = lowered.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(BackgroundThread.niceOf(other)).isEqualTo(BackgroundThread.NICE);
            assertThat(BackgroundThread.niceOf(mine)).as("the other threads keep theirs").isEqualTo(before);
        } finally {
            checked.countDown();
        }
        t.join();
    }
}
