package io.github.livetrace.cli.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Merging keeps each file's ranges apart, and the chunks of one file merge in any order. */
class ViewTaskIndexMergeTest {
  @Test
  void readersOfOneFileMergeChunkByChunkAndFilesStayApart() {
    // File 0 has three chunks, read by two readers; file 1 has two chunks.
    TaskIndex first = new TaskIndex(0, 3);
    first.record(0, 0, 5, true);
    first.record(0, 0, 9, true);
    first.record(0, 2, 40, false); // an OpenTask of a chunk that does not end a recording
    first.record(0, 2, 30, true);
    TaskIndex second = new TaskIndex(0, 3);
    second.record(0, 1, 12, true);
    second.record(0, 1, 0, true); // the background task is not a task
    TaskIndex otherFile = new TaskIndex(1, 2);
    otherFile.record(1, 0, 3, true);
    otherFile.record(1, 1, 100, true);

    TaskIndex a = new TaskIndex();
    a.merge(first);
    a.merge(second);
    a.merge(otherFile);
    TaskIndex b = new TaskIndex();
    b.merge(otherFile);
    b.merge(second);
    b.merge(first);
    for (TaskIndex index : new TaskIndex[] {a, b}) {
      assertFalse(index.covers(0), "not complete until marked");
      index.completed();
      assertTrue(index.covers(0) && index.covers(1) && !index.covers(2));
      assertEquals(5, index.smallest(0, 0));
      assertEquals(9, index.largest(0, 0));
      assertEquals(12, index.smallest(0, 1));
      assertEquals(12, index.largest(0, 1));
      assertEquals(30, index.smallest(0, 2));
      assertEquals(40, index.largest(0, 2));
      assertEquals(3, index.smallest(1, 0));
      assertEquals(100, index.largest(1, 1));
      int[] oneJvm = {0, 0, 0};
      assertArrayEquals(new boolean[] {true, false, false}, index.chunksMeeting(0, oneJvm, 0, 7, 7));
      assertArrayEquals(new boolean[] {false, true, true}, index.chunksMeeting(0, oneJvm, 0, 10, 35));
      assertArrayEquals(new boolean[] {false, false, false}, index.chunksMeeting(0, oneJvm, 0, 41, 1000));
      assertArrayEquals(new boolean[] {false, false, false}, index.chunksMeeting(0, new int[] {1, 1, 1}, 0, 7, 7), "another JVM's chunks");
      assertArrayEquals(new boolean[] {false, true}, index.chunksMeeting(1, new int[] {0, 0}, 0, 50, 100));
    }
  }
}
