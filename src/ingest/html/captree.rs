//! Step 3: the parsed tree, bounded in depth. htmd converts recursively,
//! so deeper nodes are lifted to [`TREE_MAX_DEPTH`].

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
