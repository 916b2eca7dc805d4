package io.github.livetrace.micrometer;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.internal.Jfr;
import io.github.livetrace.internal.LogEvent;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns Micrometer observations into livetrace annotations, so that whatever the application
 * already observes appears in every trace without code of its own:
 *
 * <ul>
 *   <li>an observation is a {@link Task} of the observation's name ({@code http.server.requests},
 *       {@code http.client.requests}, {@code tasks.scheduled.execution}...), a child of the task of
 *       its parent observation; it ends when the observation stops;
 *   <li>while a scope of the observation is open on a thread, its task is current there and a
 *       {@link Region} of the same name is open, so the application's own regions and logs in
 *       that code belong to the request;
 *   <li>an observation event is a {@code livetrace.Log} in the task (category: the event's name,
 *       message: its contextual name); when the observation stops, a log in the task holds its
 *       contextual name and key values (for a request, the URI and status), and an error its
 *       exception class.
 * </ul>
 *
 * <p>Observation names are few, which is what task types must be. Details of high cardinality
 * (URIs, ids) go into logs, never into types. Query strings and user info are cut from the logged
 * key values, since they often carry credentials.
 *
 * <p>The Spring Boot starter registers it when an {@code ObservationRegistry} bean exists. It needs
 * nothing of Spring, so elsewhere (Micronaut, Quarkus, plain Micrometer) register it yourself:
 *
 * <pre>{@code
 * ObservationRegistry registry = ObservationRegistry.create();
 * registry.observationConfig().observationHandler(new LivetraceObservationHandler());
 * }</pre>
 *
 * <p>Tasks are created whether or not a trace is recording, because a request may begin before a
 * trace starts and end inside it; that costs an object per observation. Logs are only built while
 * a trace or the flight recorder records.
 */
public class LivetraceObservationHandler implements ObservationHandler<Observation.Context> {
  /** Where an observation's task is kept in its context; shared by all instances. */
  private static final String TASK_KEY = LivetraceObservationHandler.class.getName() + ".task";

  /**
   * Where the scopes open for an observation are kept, so that a scope closed on another thread
   * is still found: in its context, and gone with it.
   */
  private static final String SCOPES_KEY = LivetraceObservationHandler.class.getName() + ".scopes";

  /** Deeper parent chains than this are cut rather than followed (a cycle would loop forever). */
  private static final int MAX_PARENT_DEPTH = 128;

  /** Scopes a thread keeps track of: past this, the oldest is forgotten (never closed: a leak). */
  static final int MAX_SCOPES_PER_THREAD = 256;

  /**
   * The scopes this handler opened on each thread, newest first, for {@link #onScopeReset}. A
   * scope closed on another thread is only marked there; its thread drops it at its next scope.
   */
  private final ThreadLocal<ArrayDeque<OpenScope>> threadScopes = new ThreadLocal<>();

  /** Handles every observation. */
  public LivetraceObservationHandler() {}

  @Override
  public boolean supportsContext(Observation.Context context) {
    return true;
  }

  @Override
  public void onStart(Observation.Context context) {
    // The parent observation may live on another thread: its task, not the thread's, is the
    // parent. Without one, the thread's current task is.
    Task parent = parentTask(context);
    Task task = parent == null ? Trace.newTask(context.getName()) : Trace.newTask(parent, context.getName());
    context.put(TASK_KEY, task);
  }

  @Override
  public void onScopeOpened(Observation.Context context) {
    Task task = context.get(TASK_KEY);
    if (task == null) {
      return;
    }
    OpenScope open = new OpenScope(context, task.makeCurrent(), Trace.startRegion(context.getName()));
    ArrayDeque<OpenScope> ofContext = context.computeIfAbsent(SCOPES_KEY, k -> new ArrayDeque<>());
    synchronized (ofContext) {
      ofContext.push(open);
    }
    ArrayDeque<OpenScope> ofThread = threadScopes.get();
    if (ofThread == null) {
      ofThread = new ArrayDeque<>();
      threadScopes.set(ofThread);
    }
    ofThread.removeIf(OpenScope::isClosed);
    if (ofThread.size() == MAX_SCOPES_PER_THREAD) {
      ofThread.pollLast();
    }
    ofThread.push(open);
  }

  /**
   * Closes the newest scope of the observation opened on this thread. Micrometer lets a scope be
   * closed on another thread (async handlers, {@code CompletionStage} methods, reactive code):
   * then the newest open scope of the observation is closed from here. livetrace counts that as
   * misuse under the observation's own name (a region belongs to one thread, and JFR would put one
   * ended here on this thread, so it is not recorded), and the opening thread lets go of the scope
   * and region the next time it uses livetrace.
   */
  @Override
  public void onScopeClosed(Observation.Context context) {
    OpenScope closing = null;
    ArrayDeque<OpenScope> ofThread = threadScopes.get();
    if (ofThread != null) {
      for (Iterator<OpenScope> it = ofThread.iterator(); it.hasNext(); ) {
        OpenScope open = it.next();
        if (open.context == context && !open.isClosed()) {
          it.remove();
          closing = open;
          break;
        }
      }
      if (ofThread.isEmpty()) {
        threadScopes.remove();
      }
    }
    ArrayDeque<OpenScope> ofContext = context.get(SCOPES_KEY);
    if (ofContext != null) {
      synchronized (ofContext) {
        if (closing == null) {
          closing = ofContext.peek(); // opened on another thread
        }
        ofContext.remove(closing);
      }
    }
    if (closing != null) {
      closing.close();
    }
  }

  /**
   * Micrometer resets scopes when a thread's observation state is wiped (context propagation does
   * so when a pooled thread is handed back): every scope this handler opened on the thread ends.
   */
  @Override
  public void onScopeReset(Observation.Context context) {
    ArrayDeque<OpenScope> ofThread = threadScopes.get();
    if (ofThread == null) {
      return;
    }
    threadScopes.remove();
    for (OpenScope open : ofThread) {
      ArrayDeque<OpenScope> ofContext = open.context.get(SCOPES_KEY);
      if (ofContext != null) {
        synchronized (ofContext) {
          ofContext.remove(open);
        }
      }
      open.close();
    }
  }

  @Override
  public void onEvent(Observation.Event event, Observation.Context context) {
    if (logsRecorded()) {
      logIn(context.get(TASK_KEY), event.getName(), event.getContextualName());
    }
  }

  @Override
  public void onError(Observation.Context context) {
    Throwable error = context.getError();
    if (error != null && logsRecorded()) {
      // The class only: exception messages often quote user input.
      logIn(context.get(TASK_KEY), context.getName(), "error " + error.getClass().getName());
    }
  }

  @Override
  public void onStop(Observation.Context context) {
    Task task = context.get(TASK_KEY);
    if (task == null) {
      return;
    }
    if (logsRecorded()) {
      logIn(task, context.getName(), summary(context));
    }
    task.end();
  }

  /**
   * Whether a log would be recorded: a trace or the flight recorder runs (JFR enables the event
   * for both); otherwise the summary is not worth building.
   */
  private static boolean logsRecorded() {
    return Jfr.PRESENT && LogEvent.enabled();
  }

  /** The livetrace task of an observation, if this handler (or another instance) made one. */
  public static Task taskOf(Observation.ContextView context) {
    return context.get(TASK_KEY);
  }

  private static Task parentTask(Observation.Context context) {
    ObservationView parent = context.getParentObservation();
    for (int depth = 0; parent != null && depth < MAX_PARENT_DEPTH; depth++) {
      Observation.ContextView view = parent.getContextView();
      Task task = view.get(TASK_KEY);
      if (task != null) {
        return task;
      }
      parent = view.getParentObservation();
    }
    return null;
  }

  @SuppressWarnings("try") // the scope is there for its side effect on the thread
  private static void logIn(Task task, String category, String message) {
    if (task == null || task == Task.current()) {
      Trace.log(category, message);
      return;
    }
    try (Task.Scope logging = task.makeCurrent()) {
      Trace.log(category, message);
    }
  }

  static String summary(Observation.ContextView context) {
    StringBuilder b = new StringBuilder();
    String contextualName = context.getContextualName();
    if (contextualName != null && !contextualName.isEmpty()) {
      b.append(contextualName);
    }
    for (KeyValue kv : context.getLowCardinalityKeyValues()) {
      append(b, kv);
    }
    for (KeyValue kv : context.getHighCardinalityKeyValues()) {
      append(b, kv);
    }
    return b.toString();
  }

  private static void append(StringBuilder b, KeyValue kv) {
    if (b.length() > 0) {
      b.append(' ');
    }
    b.append(kv.getKey()).append('=').append(withoutCredentials(kv.getValue()));
  }

  /** Cuts the query string, the fragment and the user info of a URI-like value. */
  static String withoutCredentials(String value) {
    if (value == null) {
      return "";
    }
    if (!value.startsWith("/") && !value.contains("://")) {
      return value;
    }
    String v = value;
    int cut = indexOfAny(v, '?', '#');
    if (cut >= 0) {
      v = v.substring(0, cut);
    }
    int scheme = v.indexOf("://");
    if (scheme >= 0) {
      int authorityStart = scheme + 3;
      int authorityEnd = v.indexOf('/', authorityStart);
      String authority = authorityEnd < 0 ? v.substring(authorityStart) : v.substring(authorityStart, authorityEnd);
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        v = v.substring(0, authorityStart) + v.substring(authorityStart + at + 1);
      }
    }
    return v;
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == a || c == b) {
        return i;
      }
    }
    return -1;
  }

  /** A scope this handler opened: the task made current and the region, on the opening thread. */
  private static final class OpenScope {
    final Observation.Context context;
    final Task.Scope scope;
    final Region region;
    private final AtomicBoolean closed = new AtomicBoolean();

    OpenScope(Observation.Context context, Task.Scope scope, Region region) {
      this.context = context;
      this.scope = scope;
      this.region = region;
    }

    boolean isClosed() {
      return closed.get();
    }

    /** Ends the region and the scope, once, on whichever thread; elsewhere both report misuse. */
    void close() {
      if (closed.compareAndSet(false, true)) {
        region.close();
        scope.close();
      }
    }
  }
}
