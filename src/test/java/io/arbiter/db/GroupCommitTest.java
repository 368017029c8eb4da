package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Group commit")
class GroupCommitTest {

  @Test
  @DisplayName("flushes the first item at once, batches what arrives meanwhile, and isolates per-item failures")
  void batchesAndIsolates(Vertx vertx, VertxTestContext test) {
    List<List<Integer>> flushed = new ArrayList<>();
    List<Promise<List<Future<String>>>> pending = new ArrayList<>();
    GroupCommit<Integer, String> commit = new GroupCommit<>(3, 1, batch -> {
      flushed.add(batch);
      Promise<List<Future<String>>> promise = Promise.promise();
      pending.add(promise);
      return promise.future();
    });
    vertx.runOnContext(v -> {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        results.add(commit.submit(i));
      }
      test.verify(() -> {
        assertThat(flushed).containsExactly(List.of(1));
        assertThat(commit.waiting()).isEqualTo(4);
      });
      pending.get(0).complete(List.of(Future.succeededFuture("one")));
      test.verify(() -> assertThat(flushed).containsExactly(List.of(1), List.of(2, 3, 4)));
      pending.get(1).complete(List.of(Future.succeededFuture("two"), Future.failedFuture("bad three"),
          Future.succeededFuture("four")));
      pending.get(2).fail("database down");
      Future.join(results).onComplete(all -> test.verify(() -> {
        assertThat(results.get(0).result()).isEqualTo("one");
        assertThat(results.get(1).result()).isEqualTo("two");
        assertThat(results.get(2).cause()).hasMessage("bad three");
        assertThat(results.get(3).result()).isEqualTo("four");
        assertThat(results.get(4).cause()).hasMessage("database down");
        assertThat(flushed).containsExactly(List.of(1), List.of(2, 3, 4), List.of(5));
        test.completeNow();
      }));
    });
  }

  @Test
  @DisplayName("writes each item of a batch the database refused on its own, so only the bad item fails")
  void retriesARefusedBatchItemByItem(Vertx vertx, VertxTestContext test) {
    List<List<Integer>> flushed = new ArrayList<>();
    List<Promise<List<Future<String>>>> pending = new ArrayList<>();
    GroupCommit<Integer, String> commit = new GroupCommit<>(3, 1, batch -> {
      flushed.add(batch);
      if (batch.size() == 1 && batch.get(0) != 1) {
        return Future.succeededFuture(List.of(batch.get(0) == 3 ? Future.failedFuture("refused three")
            : Future.succeededFuture("alone " + batch.get(0))));
      }
      Promise<List<Future<String>>> promise = Promise.promise();
      pending.add(promise);
      return promise.future();
    }, e -> !e.getMessage().contains("down"));
    vertx.runOnContext(v -> {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 1; i <= 7; i++) {
        results.add(commit.submit(i));
      }
      pending.get(0).complete(List.of(Future.succeededFuture("one")));
      pending.get(1).fail("invalid input in the shared parameter");
      test.verify(() -> assertThat(flushed).containsExactly(List.of(1), List.of(2, 3, 4), List.of(2), List.of(3),
          List.of(4), List.of(5, 6, 7)));
      pending.get(2).fail("database down");
      Future.join(results).onComplete(all -> test.verify(() -> {
        assertThat(results.get(1).result()).isEqualTo("alone 2");
        assertThat(results.get(2).cause()).hasMessage("refused three");
        assertThat(results.get(3).result()).isEqualTo("alone 4");
        assertThat(results.subList(4, 7)).allSatisfy(r -> assertThat(r.cause()).hasMessage("database down"));
        assertThat(flushed).hasSize(6);
        test.completeNow();
      }));
    });
  }

  @Test
  @DisplayName("with a batch key, puts only items of one key in a batch, the oldest waiting item's first")
  void batchesByKey(Vertx vertx, VertxTestContext test) {
    List<List<String>> flushed = new ArrayList<>();
    List<Promise<List<Future<String>>>> pending = new ArrayList<>();
    GroupCommit<String, String> commit = new GroupCommit<>(2, 1, batch -> {
      flushed.add(batch);
      Promise<List<Future<String>>> promise = Promise.promise();
      pending.add(promise);
      return promise.future();
    }, e -> false, item -> item.charAt(0));
    vertx.runOnContext(v -> {
      List<Future<String>> results = new ArrayList<>();
      for (String item : List.of("a1", "b1", "a2", "b2", "a3", "a4")) {
        results.add(commit.submit(item));
      }
      for (int i = 0; i < 4; i++) {
        List<String> batch = flushed.get(i);
        pending.get(i).complete(batch.stream().map(item -> Future.succeededFuture("done " + item)).toList());
      }
      Future.join(results).onComplete(all -> test.verify(() -> {
        assertThat(flushed).containsExactly(List.of("a1"), List.of("b1", "b2"), List.of("a2", "a3"), List.of("a4"));
        assertThat(results).allSatisfy(r -> assertThat(r.result()).startsWith("done "));
        assertThat(results.get(3).result()).isEqualTo("done b2");
        test.completeNow();
      }));
    });
  }
}
