package io.github.livetrace.cli.internal.jfr;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads the payload of a chunk's metadata event (type id 0), after its id: a table of strings,
 * then a tree of elements whose names and attributes are indexes into that table.
 *
 * <p>The tree's root holds a {@code metadata} element with one {@code class} element per type
 * (attributes {@code name}, {@code id}, {@code superType}), each with {@code field} elements in
 * the order values are written (attributes {@code name}, {@code class} for the type id, {@code
 * constantPool} when the value is a pool key, {@code dimension} 1 for arrays), and {@code
 * annotation} and {@code setting} elements; and a {@code region} element with the time zone.
 *
 * <p>Only classes and their fields are built. The rest, most of the bytes (labels, descriptions
 * and other annotations), is walked over, and strings are decoded only when an element that is
 * built refers to them.
 */
final class MetadataReader {
  /** Root, metadata, class, field, annotation: deeper trees are damage, not metadata. */
  private static final int MAX_DEPTH = 16;

  /** A built element: a name, attributes as string-table indexes, and the children built. */
  private static final class Element {
    final String name;
    final int[] attributes; // key, value, key, value...
    final List<Element> children = new ArrayList<>();

    Element(String name, int[] attributes) {
      this.name = name;
      this.attributes = attributes;
    }
  }

  private final RecordCursor in;
  private final RecordCursor stringReader = new RecordCursor();
  private final StringCache cache = new StringCache();
  private final int[] stringOffsets;
  private final String[] strings;

  private MetadataReader(RecordCursor in, int[] stringOffsets) {
    this.in = in;
    this.stringOffsets = stringOffsets;
    this.strings = new String[stringOffsets.length];
  }

  /**
   * Reads the string table and the element tree from {@code in}, which is positioned after the
   * metadata id, and returns the types they declare.
   */
  static Metadata read(RecordCursor in, long metadataId) throws JfrFormatException {
    int count = in.readCount("metadata strings");
    int[] offsets = new int[count];
    for (int i = 0; i < count; i++) {
      offsets[i] = in.position();
      if (in.peekByte() == RecordCursor.CONSTANT_POOL) {
        throw new JfrFormatException("metadata string " + i + " refers to a constant pool, which metadata cannot");
      }
      in.skipString();
    }
    MetadataReader reader = new MetadataReader(in, offsets);
    Element root = reader.tree();
    List<Element> metadata = children(root, "metadata");
    if (metadata.size() != 1) {
      throw new JfrFormatException("metadata has " + metadata.size() + " 'metadata' elements instead of one");
    }
    return reader.types(metadataId, metadata.get(0));
  }

  /** An element whose children are still to be read. */
  private static final class Open {
    final Element element; // null when walked over
    final int depth;
    int childrenLeft;

    Open(Element element, int depth, int childrenLeft) {
      this.element = element;
      this.depth = depth;
      this.childrenLeft = childrenLeft;
    }
  }

  private int childCount; // of the element read last

  /**
   * Reads the tree in the order it is written, parents before their children. The root builds
   * its {@code metadata} child, which builds its classes, which build their fields; the rest is
   * walked over. A stack of open elements rather than recursion: the JIT compiler inlines a
   * recursive method into itself, and this runs just often enough to be compiled.
   */
  private Element tree() throws JfrFormatException {
    Element root = element(null, -1);
    Deque<Open> open = new ArrayDeque<>();
    open.push(new Open(root, 0, childCount));
    while (!open.isEmpty()) {
      Open parent = open.peek();
      if (parent.childrenLeft == 0) {
        open.pop();
        continue;
      }
      parent.childrenLeft--;
      if (parent.depth + 1 > MAX_DEPTH) {
        throw new JfrFormatException("metadata elements nest deeper than " + MAX_DEPTH);
      }
      Element child = element(parent.element, parent.depth);
      if (child != null) {
        parent.element.children.add(child);
      }
      open.push(new Open(child, parent.depth + 1, childCount));
    }
    return root;
  }

  /**
   * Reads an element's name and attributes, and leaves its number of children in {@link
   * #childCount}; builds it when its parent was built and wants it, else returns null.
   *
   * @param parent null for the root, or when the parent was walked over
   */
  private Element element(Element parent, int parentDepth) throws JfrFormatException {
    int nameIndex = checkedIndex(in.readLong());
    boolean build = parentDepth < 0 || (parent != null && builds(parentDepth, string(nameIndex)));
    int attributeCount = in.readCount("metadata attributes");
    int[] attributes = build ? new int[2 * attributeCount] : null;
    for (int i = 0; i < 2 * attributeCount; i++) {
      int index = checkedIndex(in.readLong());
      if (build) {
        attributes[i] = index;
      }
    }
    childCount = in.readCount("metadata elements");
    return build ? new Element(string(nameIndex), attributes) : null;
  }

  private static boolean builds(int parentDepth, String childName) {
    switch (parentDepth) {
      case 0:
        return childName.equals("metadata");
      case 1:
        return childName.equals("class");
      case 2:
        return childName.equals("field");
      default:
        return false;
    }
  }

  private int checkedIndex(long index) throws JfrFormatException {
    if (index < 0 || index >= stringOffsets.length) {
      throw new JfrFormatException("metadata refers to string " + index + " of " + stringOffsets.length);
    }
    return (int) index;
  }

  private String string(long index) throws JfrFormatException {
    int i = checkedIndex(index);
    if (strings[i] == null) {
      stringReader.reset(in.bytes(), stringOffsets[i], in.limit());
      String value = stringReader.readString(cache, null);
      if (value == null) {
        throw new JfrFormatException("metadata string " + i + " is null");
      }
      strings[i] = value;
    }
    return strings[i];
  }

  private String attribute(Element element, String key) throws JfrFormatException {
    for (int i = 0; i < element.attributes.length; i += 2) {
      if (key.equals(string(element.attributes[i]))) {
        return string(element.attributes[i + 1]);
      }
    }
    return null;
  }

  private static List<Element> children(Element element, String name) {
    List<Element> result = new ArrayList<>();
    for (Element child : element.children) {
      if (name.equals(child.name)) {
        result.add(child);
      }
    }
    return result;
  }

  private Metadata types(long metadataId, Element metadata) throws JfrFormatException {
    LongMap<JfrType> byId = new LongMap<>(1024);
    List<JfrType> all = new ArrayList<>();
    for (Element type : children(metadata, "class")) {
      String name = required(type, "name", "a class");
      long id = number(type, "id", name);
      List<JfrField> fields = new ArrayList<>();
      for (Element field : children(type, "field")) {
        String fieldName = required(field, "name", "a field of " + name);
        long typeId = number(field, "class", name + "." + fieldName);
        boolean array = attribute(field, "dimension") != null && number(field, "dimension", name + "." + fieldName) > 0;
        fields.add(new JfrField(fieldName, typeId, attribute(field, "constantPool") != null, array));
      }
      JfrType declared = new JfrType(id, name, attribute(type, "superType"), fields);
      if (byId.get(id) != null) {
        throw new JfrFormatException("metadata declares type id " + id + " twice: "
            + byId.get(id).name() + " and " + name);
      }
      byId.put(id, declared);
      all.add(declared);
    }
    for (JfrType type : all) {
      for (JfrField field : type.fields()) {
        JfrType fieldType = byId.get(field.typeId());
        if (fieldType == null) {
          throw new JfrFormatException("metadata: the type of " + type.name() + "." + field.name()
              + " (id " + field.typeId() + ") is not declared");
        }
        field.resolve(fieldType);
      }
    }
    for (JfrType type : all) {
      type.prepareSkipping();
    }
    return new Metadata(metadataId, byId, all);
  }

  private String required(Element element, String key, String what) throws JfrFormatException {
    String value = attribute(element, key);
    if (value == null) {
      throw new JfrFormatException("metadata: " + what + " has no '" + key + "' attribute");
    }
    return value;
  }

  private long number(Element element, String key, String what) throws JfrFormatException {
    String text = required(element, key, what);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new JfrFormatException("metadata: the '" + key + "' of " + what + " is not a number: '" + text + "'");
    }
  }
}
