// A comment thread on one item (CONTRACT §9: internal, task force and the country's focal point): the comments in the
// order they were written, so that an answer follows its question (the API lists newest first by default), each with
// a button to resolve it (or reopen it) and, for its author, one to correct it; and a form to add one. A submission's
// thread also shows what was said on its earlier versions: a rejection's reason is a comment on the rejected version,
// and the version sent in answer would otherwise start with an empty thread. Loaded when shown, so a list of items
// costs one request per thread opened; a long thread is read 100 comments a request, and all of it is shown (the
// newest would otherwise be the ones cut off). A comment being written is kept should the hub refuse the token before
// it is sent (lib/drafts.ts): after signing in again, its thread opens with the text back.
import { useEffect, useState } from 'preact/hooks';
import { graphql } from '../gql';
import type { ThreadCommentFragment } from '../gql/graphql';
import { allPages, request, requestWithErrors, useLoad, useWrite } from '../lib/client';
import { loadFields, useKeepOnRefusal, useKept } from '../lib/drafts';
import { useSession } from '../lib/session';
import { ErrorMessage, Loading } from './controls';

graphql(`
  fragment ThreadComment on Comment {
    id
    author
    body
    status
    createdAt
    dueDate
    overdue
    lastEditedAt
    viewerCanUpdate
  }
`);

const ThreadDoc = graphql(`
  query CommentThread($target: ID!, $after: String) {
    comments(first: 100, after: $after, filter: { target: $target }, orderBy: { field: CREATED_AT, direction: ASC }) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ThreadComment
      }
    }
  }
`);

const EarlierVersionsDoc = graphql(`
  query EarlierVersionThreads($id: ID!) {
    submission(id: $id) {
      version
      versions {
        id
        version
        status
        comments {
          totalCount
        }
      }
    }
  }
`);

/** Every comment on one item, in the order written: a long thread is read page by page, none left out. */
const threadOf = (target: string, signal?: AbortSignal) =>
  allPages(async (after) => {
    const { data, errors } = await requestWithErrors(ThreadDoc, { target, after }, { signal });
    return { connection: data.comments, errors };
  });

/** A submission's earlier versions that have comments, each with its whole thread (oldest version first). */
async function earlierThreadsOf(id: string, signal: AbortSignal) {
  const { data } = await requestWithErrors(EarlierVersionsDoc, { id }, { signal });
  const current = data.submission?.version ?? 0;
  const earlier = (data.submission?.versions ?? []).filter((v) => v.version < current && v.comments.totalCount);
  const threads = await Promise.all(earlier.map((v) => threadOf(v.id, signal)));
  return {
    data: earlier.map((v, i) => ({ ...v, comments: threads[i]!.data })),
    errors: threads.flatMap((t) => t.errors),
  };
}

const AddCommentDoc = graphql(`
  mutation AddComment($target: ID!, $body: String!) {
    addComment(input: { target: $target, body: $body }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const ResolveCommentDoc = graphql(`
  mutation ResolveComment($id: ID!) {
    resolveComment(input: { id: $id }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

/** Resolves a comment: the write of every "Resolve" button (a thread's, the upload page's open comments). */
export const resolveComment = async (id: string) => (await request(ResolveCommentDoc, { id })).resolveComment;

const ReopenCommentDoc = graphql(`
  mutation ReopenComment($id: ID!) {
    reopenComment(input: { id: $id }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const EditCommentDoc = graphql(`
  mutation EditComment($id: ID!, $body: String!) {
    editComment(input: { id: $id, body: $body }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A comment not yet sent on one item, as kept in this tab (lib/drafts.ts). */
interface UnsentComment {
  body: string;
}
const draftScope = (target: string) => `comment.${target}`;

export interface ThreadProps {
  target: string;
  label: string;
  /** The target is a submission version: its earlier versions' comments are shown below its own. */
  versions?: boolean;
  /** Told how many of the item's own comments are open (as a list counts them), each time the thread is read. */
  onOpenCount?: (open: number) => void;
  /** Told after each comment added, edited, resolved or reopened here. */
  onChange?: () => void;
  /**
   * False where the same item's thread is shown twice on a page (the upload page's open comments above its list):
   * only the other one brings back a comment kept from before a sign-out, which this one still keeps.
   */
  restores?: boolean;
}

export function CommentThread(props: ThreadProps) {
  const [, viewer] = useSession();
  // The caller the thread was opened for: the one whose unsent text is kept if the hub refuses its token.
  const [who] = useState(viewer);
  const [refresh, setRefresh] = useState(0);
  const state = useLoad((signal) => threadOf(props.target, signal), [props.target], { refresh });
  const earlierState = useLoad((signal) => earlierThreadsOf(props.target, signal), [props.target], {
    refresh,
    skip: !props.versions,
  });
  const earlier = earlierState.status === 'done' ? earlierState.data : [];
  const { onOpenCount } = props;
  useEffect(() => {
    if (state.status === 'done') onOpenCount?.(state.data.filter((c) => c.status === 'OPEN').length);
  }, [state, onOpenCount]);
  const kept = useKept<UnsentComment>(draftScope(props.target), props.restores === false ? null : who);
  const [body, setBody] = useState(kept?.body ?? '');
  // Said until the restored text is sent.
  const [restored, setRestored] = useState(Boolean(kept));
  useKeepOnRefusal<UnsentComment>(draftScope(props.target), who, body.trim() ? { body } : null);
  const { busy, problem, setProblem, write } = useWrite();
  const id = `comment-${props.target.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const reload = () => {
    setRefresh((n) => n + 1);
    props.onChange?.();
  };
  // The comment of the caller's being corrected, with the text as it stands in the form.
  const [editing, setEditing] = useState<{ id: string; body: string } | null>(null);

  function save(e: Event) {
    e.preventDefault();
    if (!editing) return;
    if (!editing.body.trim()) {
      setProblem('A comment cannot be empty.');
      return;
    }
    void write(
      async () => (await request(EditCommentDoc, { id: editing.id, body: editing.body.trim() })).editComment,
      () => {
        setEditing(null);
        reload();
      },
    );
  }

  /** Resolves an open comment or reopens a resolved one, then reloads the thread. */
  function setStatus(comment: { id: string; status: string }) {
    void write(
      async () =>
        comment.status === 'OPEN'
          ? await resolveComment(comment.id)
          : (await request(ReopenCommentDoc, { id: comment.id })).reopenComment,
      reload,
    );
  }

  function add(e: Event) {
    e.preventDefault();
    if (!body.trim()) {
      setProblem('Write the comment first.');
      return;
    }
    void write(
      async () => (await request(AddCommentDoc, { target: props.target, body: body.trim() })).addComment,
      () => {
        setBody('');
        setRestored(false);
        reload();
      },
    );
  }

  /** One comment, with what the caller may do to it. */
  const item = (c: ThreadCommentFragment) => (
    <li key={c.id} data-status={c.status}>
      <p class="reason">
        <bdi>{c.author}</bdi> · {when.format(new Date(c.createdAt))} UTC · {c.status === 'OPEN' ? 'open' : 'resolved'}
        {c.overdue ? ' · overdue' : ''}
        {c.lastEditedAt ? ' · edited' : ''}
      </p>
      {editing?.id === c.id ? (
        <form onSubmit={save}>
          <label for={`${id}-edit`}>Edit your comment</label>
          <textarea
            id={`${id}-edit`}
            rows={2}
            value={editing.body}
            onInput={(e) => setEditing({ id: c.id, body: (e.currentTarget as HTMLTextAreaElement).value })}
          />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" class="secondary" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </form>
      ) : (
        <p>{c.body}</p>
      )}
      <button type="button" class="secondary" disabled={busy} onClick={() => setStatus(c)}>
        {c.status === 'OPEN' ? 'Resolve' : 'Reopen'}
        <span class="visually-hidden"> the comment by {c.author}</span>
      </button>
      {c.viewerCanUpdate && editing?.id !== c.id && (
        <button type="button" class="secondary" disabled={busy} onClick={() => setEditing({ id: c.id, body: c.body })}>
          Edit<span class="visually-hidden"> your comment</span>
        </button>
      )}
    </li>
  );

  return (
    <div class="thread" data-testid="comment-thread">
      {state.status === 'loading' && <Loading what="comments" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' &&
        (state.data.length ? (
          <ol class="comments" aria-label={`Comments on ${props.label}`}>
            {state.data.map(item)}
          </ol>
        ) : (
          <p class="reason">No comments yet.</p>
        ))}
      {earlierState.status === 'error' && <ErrorMessage error={earlierState.error} retry={earlierState.retry} />}
      {earlier.map((v) => (
        <div key={v.id} data-testid={`earlier-version-${v.version}`}>
          <p class="reason">
            On version {v.version} ({v.status.toLowerCase()}):
          </p>
          <ol class="comments" aria-label={`Comments on version ${v.version} of ${props.label}`}>
            {v.comments.map(item)}
          </ol>
        </div>
      ))}
      <form onSubmit={add}>
        {restored && (
          <p role="status" class="reason" data-testid="draft-restored">
            What you typed before you were signed out is back; it was not sent.
          </p>
        )}
        <label for={id}>Add a comment on {props.label}</label>
        <textarea
          id={id}
          rows={2}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          value={body}
          onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)}
        />
        {problem && (
          <p class="error" role="alert" id={`${id}-problem`}>
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Add comment
        </button>
      </form>
    </div>
  );
}

/** The thread of one table row, fetched only once its <details> has been opened; open from the start when it holds a
 *  comment kept from before the caller was signed out. */
export function CommentsDisclosure(props: Omit<ThreadProps, 'onOpenCount'> & { open?: number }) {
  const [, viewer] = useSession();
  const [unsent] = useState(
    () => props.restores !== false && !!viewer && loadFields<UnsentComment>(draftScope(props.target), viewer) !== null,
  );
  const [opened, setOpened] = useState(unsent);
  // As the list said, until the thread is read (and after each change to it).
  const [open, setOpen] = useState(props.open);
  return (
    <details
      data-testid={`comments-${props.target}`}
      open={unsent}
      onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && setOpened(true)}
    >
      <summary>
        {/* A word of its own, so that "Comments" names the control with or without a count beside it. */}
        <span>Comments</span>
        {open ? <span class="badge open-comments"> {open} open</span> : null}
      </summary>
      {opened && <CommentThread {...props} onOpenCount={setOpen} />}
    </details>
  );
}
