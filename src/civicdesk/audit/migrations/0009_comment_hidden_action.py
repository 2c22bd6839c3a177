"""The Instagram channel (and identity kind, and the hidden-comment audit action) in the choice lists."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0008_chat_actions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('case_created', 'Case created'), ('status_changed', 'Status changed'), ('assigned', 'Assigned'), ('priority_changed', 'Priority changed'), ('tags_changed', 'Tags changed'), ('transferred', 'Transferred'), ('routed', 'Routed'), ('merged', 'Merged'), ('merged_into', 'Merged into another case'), ('linked', 'Linked'), ('reopened', 'Reopened'), ('location_changed', 'Location changed'), ('field_changed', 'Field changed'), ('delivery_failed', 'Delivery failed'), ('follower_added', 'Follower added'), ('contact_created', 'Contact created'), ('contact_changed', 'Contact changed'), ('contact_merged', 'Contacts merged'), ('contact_unmerged', 'Contact merge undone'), ('identity_added', 'Identity added'), ('opted_out', 'Opted out of messages'), ('opted_in', 'Opted in to messages again'), ('keyword_text', 'Keyword text received'), ('stop_request_flagged', 'Request to stop messages flagged'), ('stop_request_dismissed', 'Request to stop messages dismissed'), ('message_edited', 'Message edited by its author'), ('message_deleted', 'Message deleted by its author'), ('comment_hidden', 'Comment hidden on the network'), ('transfer_requested', 'Transfer requested'), ('transfer_approved', 'Transfer approved'), ('transfer_rejected', 'Transfer rejected'), ('transfer_withdrawn', 'Transfer request withdrawn'), ('staff_created', 'Staff member created'), ('staff_changed', 'Staff member changed'), ('staff_away_changed', 'Away status changed'), ('team_members_changed', 'Team members changed'), ('password_link_sent', 'Set-password link sent'), ('agency_changed', 'Agency setting changed'), ('initiative_created', 'Initiative created'), ('initiative_changed', 'Initiative changed'), ('call_logged', 'Phone call logged'), ('chat_ended', 'Live chat ended by an agent'), ('chat_blocked', 'Live chat ended and its session blocked')], max_length=40),
        ),
    ]
