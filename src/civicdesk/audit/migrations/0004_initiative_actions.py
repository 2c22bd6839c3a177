# Audit entries for staff-made service initiatives (created, changed).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_opt_out_and_author_edit_actions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('case_created', 'Case created'), ('status_changed', 'Status changed'), ('assigned', 'Assigned'), ('priority_changed', 'Priority changed'), ('tags_changed', 'Tags changed'), ('transferred', 'Transferred'), ('routed', 'Routed'), ('merged', 'Merged'), ('merged_into', 'Merged into another case'), ('linked', 'Linked'), ('reopened', 'Reopened'), ('location_changed', 'Location changed'), ('field_changed', 'Field changed'), ('delivery_failed', 'Delivery failed'), ('follower_added', 'Follower added'), ('contact_created', 'Contact created'), ('contact_changed', 'Contact changed'), ('contact_merged', 'Contacts merged'), ('contact_unmerged', 'Contact merge undone'), ('identity_added', 'Identity added'), ('opted_out', 'Opted out of messages'), ('opted_in', 'Opted in to messages again'), ('message_edited', 'Message edited by its author'), ('message_deleted', 'Message deleted by its author'), ('initiative_created', 'Initiative created'), ('initiative_changed', 'Initiative changed')], max_length=40),
        ),
    ]
