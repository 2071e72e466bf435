"""`{% comments_block article %}`: approved comments, threaded, then the Leave a Reply form."""

from django import template

from masthead.comments.models import Comment
from masthead.comments.threads import threaded

register = template.Library()


@register.inclusion_tag("comments/block.html", takes_context=True)
def comments_block(context, article):
    comments = threaded(Comment.objects.for_article_page(article))
    return {
        "article": article,
        "comments": comments,
        "comment_count": len(comments),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "form_values": context.get("comment_form_values", {}),
        "form_errors": context.get("comment_form_errors", {}),
    }
