//! Step 3: the parsed tree, bounded in depth (htmd converts recursively,
//! so deeper nodes are lifted to [`TREE_MAX_DEPTH`]) and with runs of
//! like inline elements merged in linear time.

use super::*;

/// Lifts every node deeper than [`TREE_MAX_DEPTH`] to that depth, in
/// document order, each deep element left empty: all the text stays, the
/// structure below the cap goes. Iterative, so any depth is fine.
pub(super) fn cap_depth(document: &Rc<Node>) {
    let mut stack: Vec<(Rc<Node>, usize)> = vec![(Rc::clone(document), 0)];
    while let Some((node, depth)) = stack.pop() {
        if depth + 1 >= TREE_MAX_DEPTH {
            lift_descendants(&node);
            continue;
        }
        for child in node.children.borrow().iter() {
            stack.push((Rc::clone(child), depth + 1));
        }
    }
}

/// Makes all descendants of `node` its children, in document order.
pub(super) fn lift_descendants(node: &Rc<Node>) {
    let mut lifted = Vec::new();
    let mut pending: Vec<Rc<Node>> = std::mem::take(&mut *node.children.borrow_mut());
    pending.reverse();
    while let Some(current) = pending.pop() {
        let mut grandchildren = std::mem::take(&mut *current.children.borrow_mut());
        grandchildren.reverse();
        pending.append(&mut grandchildren);
        current.parent.set(Some(Rc::downgrade(node)));
        lifted.push(current);
    }
    *node.children.borrow_mut() = lifted;
}

/// Merges runs of adjacent inline elements of one kind that each hold one
/// text (`<b>x</b><b>y</b>` → `<b>xy</b>`), the way htmd would, but in one
/// linear pass. htmd merges them itself with a `Vec::remove` and a copy of
/// the merged text per element, which is quadratic in the run's length
/// (137 s for 10 MB of `<b>x</b>`); after this pass it finds nothing left
/// to merge. Iterative, so any depth is fine.
pub(super) fn merge_inline_runs(document: &Rc<Node>) {
    let mut stack: Vec<Rc<Node>> = vec![Rc::clone(document)];
    while let Some(node) = stack.pop() {
        if node.children.borrow().len() > 1 {
            merge_children(&node);
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
}

fn merge_children(node: &Rc<Node>) {
    let children = std::mem::take(&mut *node.children.borrow_mut());
    let mut kept: Vec<Rc<Node>> = Vec::with_capacity(children.len());
    // The text of the run being merged into the last kept child.
    let mut run_text: Option<String> = None;
    for child in children {
        let joins = kept.last().is_some_and(|last| mergeable(last, &child));
        if joins {
            let text = run_text.get_or_insert_with(|| only_text(kept.last()).unwrap_or_default());
            text.push_str(&only_text(Some(&child)).unwrap_or_default());
            continue;
        }
        flush_run(kept.last(), &mut run_text);
        kept.push(child);
    }
    flush_run(kept.last(), &mut run_text);
    *node.children.borrow_mut() = kept;
}

/// Writes the merged text of a run into the element that starts it.
fn flush_run(head: Option<&Rc<Node>>, run_text: &mut Option<String>) {
    let (Some(head), Some(text)) = (head, run_text.take()) else {
        return;
    };
    if let Some(child) = head.children.borrow().first()
        && let NodeData::Text { contents } = &child.data
    {
        *contents.borrow_mut() = text.into();
    }
}

/// The text of an element whose only child is a text.
fn only_text(node: Option<&Rc<Node>>) -> Option<String> {
    let children = node?.children.borrow();
    match (children.len(), &children.first()?.data) {
        (1, NodeData::Text { contents }) => Some(String::from(&**contents.borrow())),
        _ => None,
    }
}

/// htmd's rule for merging two siblings: inline elements of one kind (`b`
/// and `strong` are one kind, `i` and `em` another; never links) with the
/// same attributes, each holding exactly one text.
fn mergeable(first: &Node, second: &Node) -> bool {
    let (
        NodeData::Element {
            name: name1,
            attrs: attrs1,
            template_contents: template1,
            mathml_annotation_xml_integration_point: mathml1,
        },
        NodeData::Element {
            name: name2,
            attrs: attrs2,
            template_contents: template2,
            mathml_annotation_xml_integration_point: mathml2,
        },
    ) = (&first.data, &second.data)
    else {
        return false;
    };
    let (tag1, tag2) = (&*name1.local, &*name2.local);
    let same_kind = tag1 == tag2
        || matches!(
            (tag1, tag2),
            ("i", "em") | ("em", "i") | ("b", "strong") | ("strong", "b")
        );
    let one_text = |node: &Node| {
        let children = node.children.borrow();
        children.len() == 1 && matches!(children[0].data, NodeData::Text { .. })
    };
    same_kind
        && tag1 != "a"
        && !is_block(tag1)
        && one_text(first)
        && one_text(second)
        && template1.borrow().is_none()
        && template2.borrow().is_none()
        && attrs1 == attrs2
        && mathml1 == mathml2
}

/// Elements htmd treats as blocks (CommonMark's HTML block names): never
/// merged with their neighbours.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "base",
    "basefont",
    "blockquote",
    "body",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "link",
    "main",
    "menu",
    "menuitem",
    "nav",
    "noframes",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "pre",
    "script",
    "search",
    "section",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
];

fn is_block(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}
